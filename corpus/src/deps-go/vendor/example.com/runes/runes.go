// Package runes measures and transforms strings rune by rune.
package runes

import "unicode"

// Version is this module's release, kept in sync with its tag.
const Version = "v0.2.0"

// Width is the number of terminal columns r takes: 0 for combining marks, 2 for wide East Asian
// and emoji runes, 1 otherwise.
func Width(r rune) int {
	switch {
	case unicode.Is(unicode.Mn, r):
		return 0
	case r >= 0x1100 && (r <= 0x115f || (r >= 0x2e80 && r <= 0xa4cf) || (r >= 0xac00 && r <= 0xd7a3) ||
		(r >= 0xf900 && r <= 0xfaff) || (r >= 0xff00 && r <= 0xff60) || (r >= 0x1f300 && r <= 0x1faff)):
		return 2
	}
	return 1
}

// StringWidth sums Width over s.
func StringWidth(s string) int {
	n := 0
	for _, r := range s {
		n += Width(r)
	}
	return n
}

// Reverse returns s with its runes in reverse order.
func Reverse(s string) string {
	rs := []rune(s)
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return string(rs)
}
