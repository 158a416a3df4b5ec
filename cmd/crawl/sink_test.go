package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsmill/newsmill/cluster"
	"github.com/newsmill/newsmill/testkit/natstest"
)

// loggedAddr is the "addr" of the first JSON log line whose message is msg ("" until logged).
// Servers listen on port 0 and are found by what they log: a port picked by the test and closed
// again could be taken by another test process before the server binds it.
func loggedAddr(logs, msg string) string {
	for _, line := range strings.Split(logs, "\n") {
		var l struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == msg {
			return l.Addr
		}
	}
	return ""
}

// metric reads one unlabelled sample of /metrics at addr ("" when absent or unreachable).
func metric(addr, name string) string {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	return ""
}

func TestTheSinkServesItsLinesWrittenLagAndLastWriteOnMetricsAndHealthz(t *testing.T) {
	srv := natstest.Start(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	body := fmt.Sprintf("output: %s\nlisten: 127.0.0.1:0\nlog_level: info\ncluster:\n  nats: [%s]\n  prefix: sk\nsources:\n  - name: a\n    seeds: [http://127.0.0.1:1/]\n",
		filepath.Join(dir, "out"), srv.URL())
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cl, err := cluster.Connect(ctx, cluster.Options{URLs: []string{srv.URL()}, Prefix: "sk"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for i := range 3 {
		id := fmt.Sprintf("NW%d", i)
		if _, err := cl.Publish(ctx, id, []byte(`{"id":"`+id+`"}`), "a"); err != nil {
			t.Fatal(err)
		}
	}
	sctx, stop := context.WithCancel(ctx)
	done := make(chan int, 1)
	var errb lockedBuffer
	go func() {
		done <- Main(sctx, []string{"sink", "--config", cfg}, Env{Stdout: io.Discard, Stderr: &errb})
	}()
	var addr string
	wait := func(what string, ok func() bool) {
		t.Helper()
		for !ok() {
			select {
			case <-ctx.Done():
				t.Fatalf("%s: never (metrics written %q lag %q)", what, metric(addr, "newsmill_sink_records_written_total"), metric(addr, "newsmill_sink_lag_records"))
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	wait("the sink listening", func() bool {
		addr = loggedAddr(errb.String(), "sink running")
		return addr != ""
	})
	wait("3 lines written and no lag", func() bool {
		return metric(addr, "newsmill_sink_records_written_total") == "3" && metric(addr, "newsmill_sink_lag_records") == "0"
	})
	if v := metric(addr, "newsmill_sink_last_write_timestamp_seconds"); v == "" || v == "0" {
		t.Errorf("last write time %q after 3 lines", v)
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	// Records published while the sink runs are written too, and the lag comes back to 0.
	if _, err := cl.Publish(ctx, "NW9", []byte(`{"id":"NW9"}`), "a"); err != nil {
		t.Fatal(err)
	}
	wait("the fourth line written", func() bool {
		return metric(addr, "newsmill_sink_records_written_total") == "4" && metric(addr, "newsmill_sink_lag_records") == "0"
	})
	stop()
	if code := <-done; code != 0 {
		t.Fatalf("sink exit %d: %s", code, errb.String())
	}
}
