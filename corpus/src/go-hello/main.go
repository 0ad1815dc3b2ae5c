// Corpus fixture: prints a line and resolves a host name with net.LookupHost.
// With CGO_ENABLED=0 Go uses its own resolver; with cgo it calls the libc's getaddrinfo.
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	fmt.Println("hello from go-hello")
	host := "localhost"
	if len(os.Args) > 1 {
		host = os.Args[1]
	}
	addrs, err := net.LookupHost(host)
	if err != nil {
		fmt.Printf("%s: %v\n", host, err)
		return
	}
	for _, a := range addrs {
		fmt.Printf("%s -> %s\n", host, a)
	}
}
