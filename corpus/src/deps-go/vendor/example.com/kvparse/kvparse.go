// Package kvparse parses "key=value" lists separated by commas or semicolons.
package kvparse

import (
	"fmt"
	"strings"
)

// Release is the module version. v1.0.1 trims spaces around keys and values (v1.0.0 did not).
const Release = "v1.0.1"

// Parse reads "a=1, b=2; c=3" into a map. Empty items are skipped; a duplicate key is an error.
func Parse(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, item := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		k, v, ok := strings.Cut(item, "=")
		if !ok {
			return nil, fmt.Errorf("kvparse: %q has no '='", item)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("kvparse: duplicate key %q", k)
		}
		out[k] = v
	}
	return out, nil
}
