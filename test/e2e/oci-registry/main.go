// An OCI registry on loopback for the live suite: go-containerregistry's registry (the one its
// own tests and crane use), in memory, over plain http. `flux push artifact` publishes to it and
// source-controller pulls from it, as they would from any registry speaking the OCI distribution
// API. It prints "listening on <addr>" once it accepts connections, and stops on SIGTERM.
package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"os"

	"github.com/google/go-containerregistry/pkg/registry"
)

func main() {
	addr := "127.0.0.1:0"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on %s\n", listener.Addr())
	server := &http.Server{Handler: registry.New(registry.Logger(log.New(os.Stderr, "", log.LstdFlags)))}
	log.Fatal(server.Serve(listener))
}
