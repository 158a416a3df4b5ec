package crawler

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/newsmill/newsmill/archive"
	"github.com/newsmill/newsmill/article"
)

func TestAWARCFileIsReadAsThePagesItsRecordsHoldWithTheirURLAndTime(t *testing.T) {
	dir := t.TempDir()
	w, err := archive.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("<html><head><title>标题</title></head><body><p>正文。</p></body></html>")
	at := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	ctx := context.Background()
	for _, ex := range []archive.Exchange{
		{URL: "https://news.example.com/a/1.html", Date: at, Status: 200, Header: http.Header{"Content-Type": {"text/html; charset=gbk"}, "Last-Modified": {"Mon, 03 Mar 2025 10:00:00 GMT"}}, Body: []byte(gbk)},
		{URL: "https://news.example.com/gone.html", Date: at, Status: 404, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<html>not found</html>")},
		{URL: "https://news.example.com/a/1.html", Date: at.Add(time.Hour), Status: 200, Header: http.Header{"Content-Type": {"text/html; charset=gbk"}}, Body: []byte(gbk)}, // a revisit
		{URL: "https://news.example.com/a/2.html", Date: at.Add(2 * time.Hour), Status: 200, Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}}, Body: []byte("<html><body><p>second</p></body></html>")},
	} {
		if _, err := w.Write(ctx, ex); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	// A folder holding the archive and a stray file of another kind.
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644)
	for _, root := range []string{dir, mustOne(t, dir)} {
		var mu sync.Mutex
		var got []*article.Page
		st, _, err := ReadLocal(ctx, root, zap.NewNop(), func(ctx context.Context, p *article.Page) error {
			mu.Lock()
			got = append(got, p)
			mu.Unlock()
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("%s: %d pages, want the two 200s with a payload (no 404, no revisit)", root, len(got))
		}
		p := got[0]
		if p.URL.String() != "https://news.example.com/a/1.html" || !p.FetchedAt.Equal(at) || !strings.Contains(string(p.Body), "正文") || p.LastModified.IsZero() {
			t.Errorf("page 1: %s at %s, last modified %s, body %q", p.URL, p.FetchedAt, p.LastModified, p.Body)
		}
		if got[1].URL.Path != "/a/2.html" || !got[1].FetchedAt.Equal(at.Add(2*time.Hour)) {
			t.Errorf("page 2: %s at %s", got[1].URL, got[1].FetchedAt)
		}
		if st.Fetched != 3 {
			t.Errorf("%d responses read, want 3 (the revisit has none)", st.Fetched)
		}
	}
}

func mustOne(t *testing.T, dir string) string {
	files, err := archive.Files(dir)
	if err != nil || len(files) != 1 {
		t.Fatalf("%v %v", files, err)
	}
	return files[0]
}
