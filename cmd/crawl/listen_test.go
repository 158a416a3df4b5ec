package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsmill/newsmill/config"
	"github.com/newsmill/newsmill/testkit/natstest"
)

func TestWorkersAndASinkOnOneHostEachTakeAFreePortWhenTheConfigNamesNone(t *testing.T) {
	srv := natstest.Start(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	body := fmt.Sprintf("output: %s\nlog_level: info\ncluster:\n  nats: [%s]\n  prefix: lp\nsources:\n  - name: a\n    seeds: [http://127.0.0.1:1/]\n",
		filepath.Join(dir, "out"), srv.URL())
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	type proc struct {
		args []string
		msg  string
		errb lockedBuffer
		done chan int
	}
	procs := []*proc{
		{args: []string{"worker", "--config", cfg}, msg: "worker running"},
		{args: []string{"worker", "--config", cfg}, msg: "worker running"},
		{args: []string{"sink", "--config", cfg}, msg: "sink running"},
	}
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	for _, p := range procs {
		p.done = make(chan int, 1)
		go func() { p.done <- Main(pctx, p.args, Env{Stdout: io.Discard, Stderr: &p.errb}) }()
	}
	addrs := map[string]bool{}
	for i, p := range procs {
		for {
			if a := loggedAddr(p.errb.String(), p.msg); a != "" {
				if a == config.DefaultListen || addrs[a] {
					t.Errorf("%v #%d listens on %s, the default or another's port", p.args[0], i, a)
				}
				addrs[a] = true
				if metric(a, "go_goroutines") == "" && metric(a, "newsmill_sink_lag_records") == "" {
					t.Errorf("%v #%d: nothing served on the logged %s", p.args[0], i, a)
				}
				break
			}
			select {
			case code := <-p.done:
				t.Fatalf("%v #%d exited %d before listening:\n%s", p.args[0], i, code, p.errb.String())
			case <-ctx.Done():
				t.Fatalf("%v #%d never logged %q:\n%s", p.args[0], i, p.msg, p.errb.String())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	stop()
	for _, p := range procs {
		if code := <-p.done; code != 0 {
			t.Errorf("%v exit %d:\n%s", p.args, code, p.errb.String())
		}
	}
}
