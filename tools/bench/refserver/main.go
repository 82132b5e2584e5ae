// Command refserver is the benchmark's floor: a bare net/http handler that
// writes fixed, pre-encoded bytes on every path: the emulator's own answer,
// the same headers and body, with a fixed X-Request-Id where the emulator
// makes a fresh one (so both put the same number of bytes on the wire).
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"strconv"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	bodyFile := flag.String("body", "", "file whose bytes every answer carries")
	flag.Parse()
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		log.Fatal(err)
	}
	ct, cl := []string{"application/json;charset=UTF-8"}, []string{strconv.Itoa(len(body))}
	rid := []string{"0123456789abcdef0123456789abcdef"}
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h["Content-Type"], h["Content-Length"], h["X-Request-Id"] = ct, cl, rid
		w.Write(body)
	})))
}
