// Package textwrap wraps text to a column width measured in terminal cells.
package textwrap

import (
	"strings"

	"example.com/runes"
)

// Wrap splits s into lines at most width cells wide, breaking at spaces; a word wider than
// width gets a line of its own.
func Wrap(s string, width int) []string {
	if width <= 0 {
		panic("textwrap: width must be positive")
	}
	var lines []string
	var cur strings.Builder
	curW := 0
	for _, w := range strings.Fields(s) {
		ww := runes.StringWidth(w)
		if curW > 0 && curW+1+ww > width {
			lines = append(lines, cur.String())
			cur.Reset()
			curW = 0
		}
		if curW > 0 {
			cur.WriteByte(' ')
			curW++
		}
		cur.WriteString(w)
		curW += ww
	}
	if curW > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

// Indent prefixes every line with prefix.
func Indent(lines []string, prefix string) string {
	return prefix + strings.Join(lines, "\n"+prefix)
}
