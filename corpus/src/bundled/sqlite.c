/* Statically linked SQLite: an in-memory database, CREATE/INSERT/SELECT; prints
 * sqlite3_libversion() and sqlite3_sourceid(). */
#include <stdio.h>
#include <sqlite3.h>

static int row(void *arg, int n, char **vals, char **cols) {
    (void)arg;
    for (int i = 0; i < n; i++)
        printf("%s=%s%s", cols[i], vals[i] ? vals[i] : "NULL", i + 1 < n ? " " : "\n");
    return 0;
}

int main(void) {
    sqlite3 *db;
    char *err = NULL;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        return 1;
    const char *sql = "CREATE TABLE lib(name TEXT, version TEXT);"
                      "INSERT INTO lib VALUES('sqlite', sqlite_version());"
                      "INSERT INTO lib VALUES('binsight', 'fixture');"
                      "SELECT name, version, length(name) AS n FROM lib ORDER BY name;";
    if (sqlite3_exec(db, sql, row, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "sqlite: %s\n", err);
        return 1;
    }
    sqlite3_close(db);
    printf("version: %s\nsource id: %s\n", sqlite3_libversion(), sqlite3_sourceid());
#ifdef PRINT_HEADER_VERSION
    printf("built against: SQLite %s (%s)\n", SQLITE_VERSION, SQLITE_SOURCE_ID);
#endif
    return 0;
}
