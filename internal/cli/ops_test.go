package cli

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
)

func TestTheOpsEndpointIsHealthyUntilStoppedAndServesMetrics(t *testing.T) {
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "newsmill_up 1\n") })
	o, err := startOps("127.0.0.1:0", metrics)
	if err != nil {
		t.Fatal(err)
	}
	defer o.shutdown(context.Background())
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get("http://" + o.addr() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q while running, want 200 ok", code, body)
	}
	if code, body := get("/metrics"); code != 200 || body != "newsmill_up 1\n" {
		t.Errorf("/metrics = %d %q", code, body)
	}
	o.stop()
	if code, body := get("/healthz"); code != http.StatusServiceUnavailable || body != "stopping\n" {
		t.Errorf("/healthz = %d %q while stopping, want 503 stopping", code, body)
	}
	if _, err := startOps(o.addr(), metrics); !errors.Is(err, ErrListen) {
		t.Errorf("a second server on %s: %v, want ErrListen", o.addr(), err)
	}
}
