// Package natstest runs a real NATS server with JetStream inside a test process, on loopback,
// with its store in a folder of the test's, and restarts it on the same port and store. Only
// tests import it: the crawl binary never links the server.
package natstest

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// readyWait is how long a start may take. Generous: under -race with every package's tests
// running at once on a small CI machine, JetStream's first start is slow.
const readyWait = 60 * time.Second

// Server is one embedded server.
type Server struct {
	t    testing.TB
	dir  string
	port int
	s    *server.Server
}

// Start starts a JetStream server storing in a temporary folder of t, stopped at cleanup. The
// server binds a port of the kernel's choosing itself: a port picked by the test and closed
// again before the server bound it could be taken in between by any other test process.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, dir: t.TempDir(), port: server.RANDOM_PORT}
	t.Cleanup(s.Stop)
	s.start()
	s.port = s.s.Addr().(*net.TCPAddr).Port
	return s
}

// URL is the nats:// address clients dial.
func (s *Server) URL() string { return fmt.Sprintf("nats://127.0.0.1:%d", s.port) }

func (s *Server) start() {
	s.t.Helper()
	// A restart binds the port the clients know. The old listener's port can take a moment
	// to be free again, so a start that fails to listen is tried again for a while.
	deadline := time.Now().Add(readyWait)
	for {
		srv, logs, err := s.try()
		if err == nil {
			s.s = srv
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("nats server on 127.0.0.1:%d: %v; its log: %s", s.port, err, logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *Server) try() (*server.Server, string, error) {
	opts := &server.Options{
		Host: "127.0.0.1", Port: s.port, JetStream: true, StoreDir: s.dir,
		NoSigs: true, ServerName: "newsmill-test",
		// Every write reaches the disk before it is acknowledged, as docs/cluster.md asks of a
		// single server in production.
		SyncAlways: true,
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, "", err
	}
	// The server's own errors (a port in use, a store it cannot open) are kept, to say why a
	// start failed instead of only that it did.
	var logs errorLog
	srv.SetLogger(&logs, false, false)
	go srv.Start()
	// A server that failed to listen logs a fatal line and never becomes ready: that start is
	// given up at once rather than waited on.
	for wait := time.Now().Add(readyWait); time.Now().Before(wait) && !logs.fatal(); {
		if srv.ReadyForConnections(200 * time.Millisecond) {
			return srv, "", nil
		}
	}
	srv.Shutdown()
	srv.WaitForShutdown()
	return nil, logs.String(), fmt.Errorf("not ready")
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

// errorLog keeps a server's warnings, errors and fatal lines; notices and below are dropped.
type errorLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *errorLog) add(level, format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lines) < 50 {
		l.lines = append(l.lines, level+" "+fmt.Sprintf(format, v...))
	}
}

func (l *errorLog) fatal() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		if strings.HasPrefix(line, "fatal ") {
			return true
		}
	}
	return false
}

func (l *errorLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lines) == 0 {
		return "(nothing logged)"
	}
	return strings.Join(l.lines, "; ")
}

func (l *errorLog) Noticef(string, ...any)         {}
func (l *errorLog) Debugf(string, ...any)          {}
func (l *errorLog) Tracef(string, ...any)          {}
func (l *errorLog) Warnf(format string, v ...any)  { l.add("warn", format, v...) }
func (l *errorLog) Errorf(format string, v ...any) { l.add("error", format, v...) }
func (l *errorLog) Fatalf(format string, v ...any) { l.add("fatal", format, v...) }
