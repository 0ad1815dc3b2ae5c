// Package checksum computes small non-cryptographic checksums (v2 API: hex strings).
package checksum

import "fmt"

const mod = 65521

// Adler32 is the Adler-32 checksum of data (RFC 1950).
func Adler32(data []byte) uint32 {
	a, b := uint32(1), uint32(0)
	for _, c := range data {
		a = (a + uint32(c)) % mod
		b = (b + a) % mod
	}
	return b<<16 | a
}

// FNV1a64 is the 64-bit FNV-1a hash of data.
func FNV1a64(data []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range data {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// Sum is "adler32:fnv1a64" in hex.
func Sum(data []byte) string {
	return fmt.Sprintf("%08x:%016x", Adler32(data), FNV1a64(data))
}
