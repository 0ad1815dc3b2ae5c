// Corpus fixture (group bundledsys): SQLite compiled in through cgo by github.com/mattn/go-sqlite3,
// which carries the SQLite amalgamation (sqlite3-binding.c). Opens an in-memory database through
// database/sql, runs a query and prints "sqlite: <sqlite_version()>"; the recipe
// (corpus/recipes/bundledsys.py) checks that line against SQLITE_VERSION in the module's sources.
// go.mod and go.sum are in the v1.14.*/ directories, one pin of the module each.
package main

import (
	"database/sql"
	"fmt"
	"os"

	_ "github.com/mattn/go-sqlite3"
)

func main() {
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(1)
	}
	defer db.Close()
	rows := 100 + len(os.Args)
	if _, err := db.Exec(`CREATE TABLE t(n INTEGER, s TEXT);
		WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?)
		INSERT INTO t SELECT x, printf('row %d', x) FROM c;`, rows); err != nil {
		fmt.Fprintln(os.Stderr, "exec:", err)
		os.Exit(1)
	}
	var version string
	var sum, count int64
	if err := db.QueryRow(`SELECT sqlite_version(), sum(n), count(*) FROM t WHERE s LIKE 'row %'`).
		Scan(&version, &sum, &count); err != nil {
		fmt.Fprintln(os.Stderr, "query:", err)
		os.Exit(1)
	}
	if count != int64(rows) || sum != int64(rows*(rows+1)/2) {
		fmt.Fprintln(os.Stderr, "unexpected result", sum, count)
		os.Exit(1)
	}
	fmt.Printf("sqlite: %s\n", version)
	fmt.Printf("sqlite-query: sum=%d count=%d\n", sum, count)
}
