// Package legacy predates Go modules: its v3 releases have no go.mod, so they are required as
// v3.x.y+incompatible under the unsuffixed path.
package legacy

import "strings"

// Banner frames title in a box of '#'.
func Banner(title string) string {
	bar := strings.Repeat("#", len(title)+4)
	return bar + "\n# " + title + " #\n" + bar
}
