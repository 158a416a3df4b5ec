package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
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

func TestExportWritesEachRecordAsOneLineThenItsCountAndNamesAFailedRead(t *testing.T) {
	var out, errb strings.Builder
	env := Env{Stdout: &out, Stderr: &errb}
	err := writeExport(env, func(emit func(string, []byte) error) (int, error) {
		for _, l := range []string{`{"id":"NW1"}`, `{"id":"NW2"}`} {
			if err := emit("", []byte(l)); err != nil {
				return 0, err
			}
		}
		return 2, nil
	})
	if err != nil || out.String() != "{\"id\":\"NW1\"}\n{\"id\":\"NW2\"}\n" || errb.String() != "crawl export: 2 records\n" {
		t.Errorf("err %v, stdout %q, stderr %q", err, out.String(), errb.String())
	}
	errb.Reset()
	broken := errors.New("stream gone")
	err = writeExport(env, func(func(string, []byte) error) (int, error) { return 0, broken })
	if !errors.Is(err, broken) || !strings.HasPrefix(err.Error(), "export: ") || errb.Len() != 0 {
		t.Errorf("a failed read: %v, stderr %q; want it wrapped and no count", err, errb.String())
	}
}
