package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/newsmill/newsmill/article"
)

// localTypes are the files a folder walk reads; everything else (images, CSS, the site's
// config) is passed over silently.
var localTypes = map[string]string{
	".md":       "text/markdown",
	".markdown": "text/markdown",
	".html":     "text/html",
	".htm":      "text/html",
}

// ReadLocal hands every post and page under root (a file or a folder, walked recursively in
// name order) to handle. It backfills history that the site no longer serves.
func ReadLocal(ctx context.Context, root string, log *zap.Logger, handle Handler) (Stats, error) {
	var st Stats
	info, err := os.Stat(root)
	if err != nil {
		return st, fmt.Errorf("read %s: %w", root, err)
	}
	var files []string
	if !info.IsDir() {
		files = []string{root}
	} else {
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				log.Warn("skip path", zap.String("path", p), zap.Error(err))
				atomic.AddInt64(&st.Errors, 1)
				return nil
			}
			if !d.IsDir() && localTypes[strings.ToLower(filepath.Ext(p))] != "" {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return st, fmt.Errorf("walk %s: %w", root, err)
		}
		sort.Strings(files)
	}
	for _, p := range files {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		page, err := ReadFile(p)
		atomic.AddInt64(&st.Fetched, 1)
		if err != nil {
			atomic.AddInt64(&st.Errors, 1)
			log.Warn("skip file", zap.String("path", p), zap.Error(err))
			continue
		}
		// A file the user pointed at that is no article is said at info: a backfill of the wrong
		// folder should not look like an empty success. (Over HTTP, listings are expected.)
		if err := handle(ctx, page); errors.Is(err, article.ErrNotArticle) {
			log.Info("skip file", zap.String("path", p), zap.Error(err))
		}
	}
	return st, nil
}

// ReadFile reads one local file as a page with a file:// URL.
func ReadFile(path string) (*article.Page, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	b, err := readCapped(abs, DefaultMaxBodyBytes)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	ct := localTypes[strings.ToLower(filepath.Ext(abs))]
	if ct == "text/html" || ct == "" {
		if b, _, err = Decode("", b); err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
	}
	u := &url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
	return article.NewPage(u, ct, b, time.Now()), nil
}

// readCapped reads a regular file of at most limit bytes, the cap a fetched body has: a device
// such as /dev/zero, or a huge file, is a clear error instead of memory exhausted.
func readCapped(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: not a regular file (%s)", ErrNotPage, fi.Mode().Type())
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%w: %d bytes exceeds %d", ErrBodyTooLarge, fi.Size(), limit)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: exceeds %d bytes", ErrBodyTooLarge, limit)
	}
	return b, nil
}
