// deps-go: binsight corpus fixture (issue 4). A small program using several third-party modules,
// vendored as source under vendor/ (one replaced by another version, one by a local directory,
// one +incompatible, one pseudo-version, one /v2), so its build info has known modules.
package main

import (
	"fmt"
	"os"
	"strings"

	"example.com/checksum/v2"
	"example.com/greeting"
	"example.com/kvparse"
	"example.com/legacy"
	"example.com/textwrap"
	"example.org/colors"
)

func main() {
	args := os.Args[1:]
	name := ""
	if len(args) > 0 {
		name = args[0]
	}
	opts, err := kvparse.Parse(strings.Join(args[min(1, len(args)):], ","))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	width := 40
	if w, ok := opts["width"]; ok {
		fmt.Sscanf(w, "%d", &width)
	}
	colour := opts["color"]
	if colour == "" {
		colour = "green"
	}
	msg, err := colors.Paint(colour, greeting.Hello(name))
	if err != nil {
		fmt.Fprintln(os.Stderr, err, "- known:", strings.Join(colors.Names(), " "))
		os.Exit(2)
	}
	fmt.Println(legacy.Banner("deps-go " + kvparse.Release))
	fmt.Println(msg)
	text := "The quick brown fox jumps over the lazy dog; 素早い茶色の狐がのろまな犬を飛び越える."
	fmt.Println(textwrap.Indent(textwrap.Wrap(text, width), "  "))
	fmt.Println("checksum", checksum.Sum([]byte(text)))
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}
