// Package greeting is a local fork, used through a `replace` to this directory.
package greeting

import "fmt"

// Hello greets name; the local fork adds the exclamation mark.
func Hello(name string) string {
	if name == "" {
		name = "world"
	}
	return fmt.Sprintf("hello, %s!", name)
}
