// Command natsserver is a NATS server with JetStream for benchmarks that need the server in a
// process of its own (to measure its CPU apart from the crawlers'). Test-only: it lives under
// testdata so that ./... never builds it, and the benchmark builds it by path.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

func main() {
	port := flag.Int("port", server.RANDOM_PORT, "client port on 127.0.0.1 (-1: one the kernel picks, printed once ready)")
	dir := flag.String("store", "", "JetStream store folder")
	syncAlways := flag.Bool("sync-always", true, "fsync every write before acknowledging it")
	flag.Parse()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: *port, JetStream: true, StoreDir: *dir, SyncAlways: *syncAlways, NoSigs: true, NoLog: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "natsserver:", err)
		os.Exit(1)
	}
	go s.Start()
	if !s.ReadyForConnections(15 * time.Second) {
		fmt.Fprintln(os.Stderr, "natsserver: not ready")
		os.Exit(1)
	}
	// The port bound is printed rather than chosen by the caller beforehand: a port picked and
	// closed again could be taken by another process before the server binds it.
	fmt.Println("ready", s.Addr().(*net.TCPAddr).Port)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	<-sig
	s.Shutdown()
	s.WaitForShutdown()
}
