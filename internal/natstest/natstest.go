// Package natstest runs a real NATS server with JetStream inside a test process, on loopback,
// with its store in a folder of the test's, and restarts it on the same port and store. Only
// tests import it: the crawl binary never links the server.
package natstest

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Server is one embedded server.
type Server struct {
	t    testing.TB
	dir  string
	port int
	s    *server.Server
}

// Start starts a JetStream server storing in a temporary folder of t, stopped at cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &Server{t: t, dir: t.TempDir(), port: port}
	s.start()
	t.Cleanup(s.Stop)
	return s
}

// URL is the nats:// address clients dial.
func (s *Server) URL() string { return fmt.Sprintf("nats://127.0.0.1:%d", s.port) }

func (s *Server) start() {
	s.t.Helper()
	opts := &server.Options{
		Host: "127.0.0.1", Port: s.port, JetStream: true, StoreDir: s.dir,
		NoSigs: true, NoLog: true, ServerName: "newsmill-test",
		// Every write reaches the disk before it is acknowledged, as docs/cluster.md asks of a
		// single server in production.
		SyncAlways: true,
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		s.t.Fatalf("nats server: %v", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(15 * time.Second) {
		s.t.Fatalf("nats server not ready on %s", s.URL())
	}
	s.s = srv
}

// Restart stops the server and starts it again on the same port and store.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.start()
}

// Stop shuts the server down; a stopped server may be started again by Restart.
func (s *Server) Stop() {
	if s.s != nil {
		s.s.Shutdown()
		s.s.WaitForShutdown()
		s.s = nil
	}
}
