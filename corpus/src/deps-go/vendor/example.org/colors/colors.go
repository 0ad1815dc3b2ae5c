// Package colors wraps text in ANSI SGR colour sequences.
package colors

import (
	"fmt"
	"sort"
)

var codes = map[string]int{
	"black": 30, "red": 31, "green": 32, "yellow": 33,
	"blue": 34, "magenta": 35, "cyan": 36, "white": 37,
}

// Names lists the known colour names, sorted.
func Names() []string {
	out := make([]string, 0, len(codes))
	for n := range codes {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Paint colours s; an unknown colour name is an error.
func Paint(name, s string) (string, error) {
	c, ok := codes[name]
	if !ok {
		return "", fmt.Errorf("colors: unknown colour %q", name)
	}
	return fmt.Sprintf("\x1b[%dm%s\x1b[0m", c, s), nil
}
