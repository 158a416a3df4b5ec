//go:build unix

package crawler

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/newsmill/newsmill/article"
)

func TestAFolderWalkSkipsPipesAndFilesOverTheSizeCapAndReadsTheRest(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.html"), []byte(articleHTML("small")), 0o644)
	os.WriteFile(filepath.Join(dir, "b.html"), []byte(articleHTML(strings.Repeat("big ", 300))), 0o644)
	if err := syscall.Mkfifo(filepath.Join(dir, "c.html"), 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	core, logs := observer.New(zapcore.DebugLevel)
	var mu sync.Mutex
	var got []string
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, _, err := ReadLocal(ctx, dir, zap.New(core), func(_ context.Context, p *article.Page) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, filepath.Base(p.URL.Path))
		return nil
	}, WithMaxFileSize(1000))
	if err != nil || ctx.Err() != nil {
		t.Fatalf("err %v, ctx %v", err, ctx.Err())
	}
	if len(got) != 1 || got[0] != "a.html" || st.Errors != 2 {
		t.Errorf("read %v with %d errors, want a.html and 2 errors", got, st.Errors)
	}
	var msgs []string
	for _, e := range logs.FilterMessage("skip file").All() {
		msgs = append(msgs, e.ContextMap()["error"].(string))
	}
	joined := strings.Join(msgs, "\n")
	if !strings.Contains(joined, "over the limit of 1000") || !strings.Contains(joined, "named pipe") {
		t.Errorf("skips not explained:\n%s", joined)
	}
}

func TestADeviceGivenAsTheRootIsRefusedNotRead(t *testing.T) {
	_, _, err := ReadLocal(context.Background(), "/dev/zero", nil, func(context.Context, *article.Page) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "character device") {
		t.Errorf("err = %v", err)
	}
}
