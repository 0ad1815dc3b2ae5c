// Command vexcheck proves that an OpenVEX 0.2.0 document written by binsight loads in
// github.com/openvex/go-vex (the library grype and trivy use, at the version grype pins) and
// that go-vex's own matching finds the statements binsight meant.
//
// Usage:
//
//	vexcheck DOC.json EXPECT.json
//	vexcheck --print DOC.json
//
// DOC.json is loaded the ways the consumers load it: vex.Load (grype's IsOpenVex), vex.Open
// (context-sniffing; what grype's MergeFiles opens each file with), vex.MergeFiles (grype's
// ReadVexDocuments, which also needs a timestamp on the document or on every statement) and a
// plain JSON decode with a non-empty @context (trivy). Any failure fails the check.
//
// Then the document and every statement are checked: @context is the 0.2.0 locator, @id, author,
// timestamp and version are set, every statement names a vulnerability, lists at least one
// product that has an @id, identifiers or hashes, and passes go-vex's Statement.Validate.
//
// EXPECT.json is a JSON array of
//
//	{"vulnerability": "CVE-…", "product": "ID", "subcomponents": ["ID", …],
//	 "status": "not_affected", "justification": "vulnerable_code_not_present"}
//
// (subcomponents and justification optional). Each is looked up with go-vex's
// (*VEX).Matches(vulnerability, product, subcomponents), as grype and trivy call it. Matches
// returns the matching statements sorted by vulnerability name, then timestamp: grype takes the
// first, trivy the last; both must have the expected status (and justification, when given).
//
// Output: one line per failed document or statement check (FAIL doc…/FAIL statement…), one
// line per expectation (ok/FAIL), then
// "vexcheck: N statements loaded, M expectations matched, K failed" where K counts every FAIL
// line. Exit 0 when nothing failed, 1 when the document does not load or any check failed, 2 on
// usage or I/O errors (unreadable files, malformed EXPECT.json).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/openvex/go-vex/pkg/vex"
)

const usage = "usage: vexcheck DOC.json EXPECT.json\n       vexcheck --print DOC.json\n"

// expectation is one entry of EXPECT.json.
type expectation struct {
	Vulnerability string   `json:"vulnerability"`
	Product       string   `json:"product"`
	Subcomponents []string `json:"subcomponents"`
	Status        string   `json:"status"`
	Justification string   `json:"justification"`
}

// usageError is an error that exits 2 (usage or I/O), the others exit 1.
type usageError struct{ error }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	var err error
	switch {
	case len(args) == 2 && args[0] == "--print":
		err = printDoc(args[1], stdout)
	case len(args) == 2 && !strings.HasPrefix(args[0], "-"):
		var failed bool
		failed, err = check(args[0], args[1], stdout)
		if err == nil && failed {
			return 1
		}
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "vexcheck: %v\n", err)
		var ue usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	return 0
}

// load reads path and loads it with every go-vex entry point the consumers use; it returns the
// document vex.Open made.
func load(path string) (*vex.VEX, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError{err}
	}
	// grype's IsOpenVex: vex.Load (a plain decode).
	if _, err := vex.Load(path); err != nil {
		return nil, fmt.Errorf("%s: go-vex vex.Load: %w", path, err)
	}
	// The context-sniffing loader (grype's MergeFiles opens each file with it).
	doc, err := vex.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: go-vex vex.Open: %w", path, err)
	}
	// grype's ReadVexDocuments: MergeFiles, which cascades the document timestamp to statements.
	if _, err := vex.MergeFiles([]string{path}); err != nil {
		return nil, fmt.Errorf("%s: go-vex vex.MergeFiles (as grype reads VEX): %w", path, err)
	}
	// trivy: a JSON decode into vex.VEX, taken as OpenVEX only when @context is set.
	var t vex.VEX
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&t); err != nil {
		return nil, fmt.Errorf("%s: JSON decode into vex.VEX (as trivy reads VEX): %w", path, err)
	}
	if t.Context == "" {
		return nil, fmt.Errorf("%s: no @context: trivy would not take it as OpenVEX", path)
	}
	return doc, nil
}

// docProblems lists what is wrong with the document's metadata (go-vex has no document-level
// validation, so these are the OpenVEX 0.2.0 spec's required fields).
func docProblems(doc *vex.VEX) []string {
	var p []string
	if doc.Context != vex.ContextLocator() {
		p = append(p, fmt.Sprintf("@context is %q, want %q", doc.Context, vex.ContextLocator()))
	}
	if doc.ID == "" {
		p = append(p, "@id is empty")
	}
	if doc.Author == "" {
		p = append(p, "author is empty")
	}
	if doc.Timestamp == nil || doc.Timestamp.IsZero() {
		p = append(p, "timestamp is missing")
	}
	if doc.Version < 1 {
		p = append(p, fmt.Sprintf("version is %d, want >= 1", doc.Version))
	}
	if len(doc.Statements) == 0 {
		p = append(p, "no statements")
	}
	return p
}

// statementProblems lists what is wrong with one statement.
func statementProblems(s *vex.Statement) []string {
	var p []string
	if s.Vulnerability.Name == "" {
		p = append(p, "vulnerability name is empty")
	}
	if len(s.Products) == 0 {
		p = append(p, "no products")
	}
	for i := range s.Products {
		if !identifiable(&s.Products[i].Component) {
			p = append(p, fmt.Sprintf("product %d has no @id, identifiers or hashes", i))
		}
		for j := range s.Products[i].Subcomponents {
			if !identifiable(&s.Products[i].Subcomponents[j].Component) {
				p = append(p, fmt.Sprintf("product %d subcomponent %d has no @id, identifiers or hashes", i, j))
			}
		}
	}
	if err := s.Validate(); err != nil {
		p = append(p, "go-vex Statement.Validate: "+err.Error())
	}
	return p
}

func identifiable(c *vex.Component) bool {
	return c.ID != "" || len(c.Identifiers) > 0 || len(c.Hashes) > 0
}

func readExpectations(path string) ([]expectation, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError{err}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var exps []expectation
	if err := dec.Decode(&exps); err != nil {
		return nil, usageError{fmt.Errorf("%s: not a JSON array of expectations: %w", path, err)}
	}
	if len(exps) == 0 {
		return nil, usageError{fmt.Errorf("%s: no expectations", path)}
	}
	for i, e := range exps {
		if e.Vulnerability == "" || e.Product == "" {
			return nil, usageError{fmt.Errorf("%s: expectation %d: vulnerability and product are required", path, i)}
		}
		if !vex.Status(e.Status).Valid() {
			return nil, usageError{fmt.Errorf("%s: expectation %d: status %q is not one of %s", path, i, e.Status, strings.Join(vex.Statuses(), ", "))}
		}
		if e.Justification != "" && !vex.Justification(e.Justification).Valid() {
			return nil, usageError{fmt.Errorf("%s: expectation %d: justification %q is not one of %s", path, i, e.Justification, strings.Join(vex.Justifications(), ", "))}
		}
	}
	return exps, nil
}

// check runs every check; failed is true when any FAIL line was printed.
func check(docPath, expectPath string, out io.Writer) (failed bool, err error) {
	exps, err := readExpectations(expectPath)
	if err != nil {
		return false, err
	}
	doc, err := load(docPath)
	if err != nil {
		return false, err
	}
	nfail := 0
	for _, p := range docProblems(doc) {
		fmt.Fprintf(out, "FAIL doc: %s\n", p)
		nfail++
	}
	for i := range doc.Statements {
		for _, p := range statementProblems(&doc.Statements[i]) {
			fmt.Fprintf(out, "FAIL statement %d (%s): %s\n", i, doc.Statements[i].Vulnerability.Name, p)
			nfail++
		}
	}
	matched := 0
	for _, e := range exps {
		what := e.Vulnerability + " product " + e.Product
		if len(e.Subcomponents) > 0 {
			subs := make([]string, len(e.Subcomponents))
			for i, sc := range e.Subcomponents {
				subs[i] = sc
				if sc == "" {
					subs[i] = `""`
				}
			}
			what += " subcomponents " + strings.Join(subs, ",")
		}
		// Matches sorts its result; grype takes [0], trivy [len-1].
		stmts := doc.Matches(e.Vulnerability, e.Product, e.Subcomponents)
		if len(stmts) == 0 {
			fmt.Fprintf(out, "FAIL %s: no matching statement (want %s)\n", what, describe(e.Status, e.Justification))
			nfail++
			continue
		}
		picks := map[string]*vex.Statement{"grype": &stmts[0], "trivy": &stmts[len(stmts)-1]}
		var wrong []string
		for _, who := range []string{"grype", "trivy"} {
			s := picks[who]
			if string(s.Status) != e.Status || (e.Justification != "" && string(s.Justification) != e.Justification) {
				wrong = append(wrong, fmt.Sprintf("%s's pick is %s", who, describe(string(s.Status), string(s.Justification))))
			}
		}
		if len(wrong) > 0 {
			fmt.Fprintf(out, "FAIL %s: %s, want %s (%d matching statements)\n", what, strings.Join(wrong, "; "), describe(e.Status, e.Justification), len(stmts))
			nfail++
			continue
		}
		fmt.Fprintf(out, "ok   %s -> %s\n", what, describe(string(stmts[0].Status), string(stmts[0].Justification)))
		matched++
	}
	fmt.Fprintf(out, "vexcheck: %d statements loaded, %d expectations matched, %d failed\n", len(doc.Statements), matched, nfail)
	return nfail > 0, nil
}

func describe(status, justification string) string {
	if justification == "" {
		return status
	}
	return status + " (" + justification + ")"
}

// printDoc loads path and prints its metadata and statements for a human.
func printDoc(path string, out io.Writer) error {
	doc, err := load(path)
	if err != nil {
		return err
	}
	ts := "-"
	if doc.Timestamp != nil {
		ts = doc.Timestamp.UTC().Format("2006-01-02T15:04:05Z07:00")
	}
	fmt.Fprintf(out, "document %s\n  @context %s\n  author %s\n  timestamp %s\n  version %d\n", doc.ID, doc.Context, doc.Author, ts, doc.Version)
	if doc.Tooling != "" {
		fmt.Fprintf(out, "  tooling %s\n", doc.Tooling)
	}
	for i := range doc.Statements {
		s := &doc.Statements[i]
		fmt.Fprintf(out, "statement %d\n  vulnerability %s", i, s.Vulnerability.Name)
		if s.Vulnerability.ID != "" {
			fmt.Fprintf(out, " @id %s", s.Vulnerability.ID)
		}
		fmt.Fprintln(out)
		for _, a := range s.Vulnerability.Aliases {
			fmt.Fprintf(out, "    alias %s\n", a)
		}
		for j := range s.Products {
			fmt.Fprintf(out, "  product %s\n", componentString(&s.Products[j].Component))
			printIDs(out, "    ", &s.Products[j].Component)
			for k := range s.Products[j].Subcomponents {
				sc := &s.Products[j].Subcomponents[k].Component
				fmt.Fprintf(out, "    subcomponent %s\n", componentString(sc))
				printIDs(out, "      ", sc)
			}
		}
		fmt.Fprintf(out, "  status %s\n", s.Status)
		if s.Justification != "" {
			fmt.Fprintf(out, "  justification %s\n", s.Justification)
		}
		if s.ImpactStatement != "" {
			fmt.Fprintf(out, "  impact_statement %s\n", s.ImpactStatement)
		}
		if s.ActionStatement != "" {
			fmt.Fprintf(out, "  action_statement %s\n", s.ActionStatement)
		}
		if s.StatusNotes != "" {
			fmt.Fprintf(out, "  status_notes %s\n", s.StatusNotes)
		}
		for _, p := range statementProblems(s) {
			fmt.Fprintf(out, "  PROBLEM %s\n", p)
		}
	}
	for _, p := range docProblems(doc) {
		fmt.Fprintf(out, "PROBLEM doc: %s\n", p)
	}
	return nil
}

func componentString(c *vex.Component) string {
	if c.ID == "" {
		return "(no @id)"
	}
	return c.ID
}

// printIDs prints a component's identifiers and hashes, sorted for stable output.
func printIDs(out io.Writer, indent string, c *vex.Component) {
	var lines []string
	for t, v := range c.Identifiers {
		lines = append(lines, fmt.Sprintf("%sidentifier %s %s\n", indent, t, v))
	}
	for a, v := range c.Hashes {
		lines = append(lines, fmt.Sprintf("%shash %s %s\n", indent, a, v))
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Fprint(out, l)
	}
	if c.Supplier != "" {
		fmt.Fprintf(out, "%ssupplier %s\n", indent, c.Supplier)
	}
}
