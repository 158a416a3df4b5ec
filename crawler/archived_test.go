package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsmill/newsmill/archive"
)

func TestTheTransportArchivesEachResponseAndSaysWhereOnIt(t *testing.T) {
	body := []byte("<html><body><p>archived page</p></body></html>")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/same" && r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set(archivedHeader, "forged 1 x y 2") // a server cannot point into our archive
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		zw.Write(body)
		zw.Close()
	}))
	defer srv.Close()
	dir := t.TempDir()
	aw, err := archive.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	tr := newTransport(fetchPolicy{attemptTimeout: 5 * time.Second, maxBody: 1 << 20, retryMax: time.Second}, time.Second, time.Second)
	tr.archive = aw
	get := func(path string, h http.Header) *http.Response {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+path, nil)
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		return resp
	}
	first := get("/same", nil)
	ref := archivedFrom(first.Header, srv.URL+"/same")
	if ref == nil || ref.File == "forged" {
		t.Fatalf("archive header %q", first.Header.Get(archivedHeader))
	}
	notMod := get("/same", http.Header{"If-None-Match": {`"v1"`}})
	if notMod.StatusCode != 304 || archivedFrom(notMod.Header, "") == nil {
		t.Errorf("a 304 must be archived too (as a revisit): %d %q", notMod.StatusCode, notMod.Header.Get(archivedHeader))
	}
	if err := aw.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := archive.ReadAt(filepath.Join(dir, ref.File), ref.Offset)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Body, body) || got.URL != srv.URL+"/same" || got.Header.Get("Etag") != `"v1"` {
		t.Errorf("archived %s %q headers %v", got.URL, got.Body, got.Header)
	}
	// A closed archive fails the fetch rather than hand on a page whose response is not kept.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/other", nil)
	if _, err := tr.RoundTrip(req); err == nil {
		t.Error("a fetch with a closed archive succeeded")
	}
}
