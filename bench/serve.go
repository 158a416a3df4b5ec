package main

import (
	"fmt"
	"net"
	"net/http"

	"github.com/newsmill/newsmill/testkit/sitegen"
)

// serve runs a sitegen site of n posts on 127.0.0.1 until killed, for profiling a crawl by
// hand: go run . -serve 15000.
func serve(n int) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	site := sitegen.New(n)
	fmt.Printf("http://%s/ (%d pages)\n", ln.Addr(), len(site.Posts))
	return http.Serve(ln, site)
}
