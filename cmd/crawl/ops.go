package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// opsServer is the /metrics and /healthz endpoint of the long-running commands (serve, serve
// with a cluster, worker): one place for what an orchestrator and Prometheus see of them.
type opsServer struct {
	ln       net.Listener
	hs       *http.Server
	stopping atomic.Bool
	// served receives Serve's error if the server ends before it is shut down.
	served chan error
}

// startOps listens on addr and serves metrics and the health check there until shutdown.
func startOps(addr string, metrics http.Handler) (*opsServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrListen, addr, err)
	}
	o := &opsServer{ln: ln, served: make(chan error, 1)}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	mux.HandleFunc("GET /healthz", o.healthz)
	o.hs = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { o.served <- o.hs.Serve(ln) }()
	return o, nil
}

// addr is the address actually listened on (a configured port 0 is resolved).
func (o *opsServer) addr() string { return o.ln.Addr().String() }

// stop turns /healthz to 503 while the process finishes what it holds.
func (o *opsServer) stop() { o.stopping.Store(true) }

// shutdown closes the listener and waits, within ctx, for requests in flight.
func (o *opsServer) shutdown(ctx context.Context) { _ = o.hs.Shutdown(ctx) }

// healthz answers 200 while the process does its work, 503 once it stops. Whether crawls
// succeed is for the metrics (newsmill_last_success_timestamp_seconds) to say: a site being
// down is no reason for an orchestrator to restart the crawler.
func (o *opsServer) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if o.stopping.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "stopping")
		return
	}
	fmt.Fprintln(w, "ok")
}
