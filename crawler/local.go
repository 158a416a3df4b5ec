package crawler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/newsmill/newsmill/archive"
	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/internal/regular"
)

// localTypes are the files a folder walk reads; everything else (images, CSS, the site's
// config) is passed over silently.
var localTypes = map[string]string{
	".md":       "text/markdown",
	".markdown": "text/markdown",
	".html":     "text/html",
	".htm":      "text/html",
	".json":     "application/json", // saved news lists (JSON or JSONP)
	".jsonp":    "application/json",
	".js":       "application/json",
}

// LocalOption configures ReadLocal.
type LocalOption func(*localOptions)

type localOptions struct {
	maxBytes int64
	outcome  func(LocalOutcome)
}

// WithLocalOutcome has ReadLocal call fn once, before it returns, with what became of the files
// it found: what a caller says when a file or folder gave no record.
func WithLocalOutcome(fn func(LocalOutcome)) LocalOption {
	return func(o *localOptions) { o.outcome = fn }
}

// LocalOutcome counts what ReadLocal did with a file or folder, by the reason a file or a page
// gave nothing.
type LocalOutcome struct {
	Files       int    // HTML, Markdown, JSON and WARC files found
	Other       int    // files of other types in a folder, passed over (images, PDFs, configs)
	TooLarge    int    // past the size cap
	Unreadable  int    // could not be read (permissions, not a regular file, bad charset)
	FirstError  string // the first of those, with its path
	NotLists    int    // JSON that is no news list (a package.json)
	Pages       int    // pages handed on: files, saved lists' items with a body, WARC responses
	NotArticles int    // of those, refused as no article (a listing, an index, an empty page)
	FirstNot    string // the first of those, with its reason
	Refused     int    // of those, refused for another reason (a required field missing, an error page)
	FirstRefuse string
	ListItems   int   // articles that saved lists point at, to fetch from their hosts
	Limit       int64 // the size cap
}

// counting wraps handle to count every page, from a file, a saved list or a WARC record, by
// what became of it.
func (o *LocalOutcome) counting(handle Handler) Handler {
	return func(ctx context.Context, p *article.Page) error {
		err := handle(ctx, p)
		o.Pages++
		switch {
		case err == nil || ctx.Err() != nil:
		case errors.Is(err, article.ErrNotArticle):
			if o.NotArticles++; o.FirstNot == "" {
				o.FirstNot = localName(p) + ": " + err.Error()
			}
		default:
			if o.Refused++; o.FirstRefuse == "" {
				o.FirstRefuse = localName(p) + ": " + err.Error()
			}
		}
		return err
	}
}

// unread counts a file that could not be read.
func (o *LocalOutcome) unread(err error) {
	if errors.Is(err, regular.ErrTooLarge) {
		o.TooLarge++
	} else if o.Unreadable++; o.FirstError == "" {
		o.FirstError = err.Error()
	}
}

// Why says why a file or folder whose outcome this is gave no record.
func (o LocalOutcome) Why() string {
	if o.Files == 0 {
		if o.Other > 0 {
			return fmt.Sprintf("no HTML, Markdown, JSON or WARC file in it (%d files of other types passed over)", o.Other)
		}
		return "no HTML, Markdown, JSON or WARC file in it"
	}
	var parts []string
	add := func(n int, what, first string) {
		if n == 0 {
			return
		}
		p := fmt.Sprintf("%d %s", n, what)
		if first != "" {
			p += " (first: " + first + ")"
		}
		parts = append(parts, p)
	}
	add(o.TooLarge, fmt.Sprintf("too large to read (over %d bytes)", o.Limit), "")
	add(o.Unreadable, "could not be read", o.FirstError)
	add(o.NotLists, "JSON files are no news list", "")
	add(o.NotArticles, "pages are not articles", o.FirstNot)
	add(o.Refused, "pages were refused", o.FirstRefuse)
	if o.ListItems > 0 {
		parts = append(parts, fmt.Sprintf("the %d articles its saved lists point at gave none", o.ListItems))
	}
	if len(parts) == 0 {
		return fmt.Sprintf("%d files read, %d pages, none an article", o.Files, o.Pages)
	}
	if o.Files == 1 && len(parts) == 1 && o.Pages <= 1 {
		switch {
		case o.TooLarge == 1:
			return fmt.Sprintf("its one file is too large to read (over %d bytes)", o.Limit)
		case o.Unreadable == 1:
			return "its one file could not be read: " + o.FirstError
		case o.NotLists == 1:
			return "its one file is JSON but no news list"
		case o.NotArticles == 1:
			return o.FirstNot
		case o.Refused == 1:
			return o.FirstRefuse
		}
	}
	return fmt.Sprintf("of %d files: %s", o.Files, strings.Join(parts, ", "))
}

// WithMaxFileSize caps each file read, as max_body_bytes caps a response; 0 or less means
// DefaultMaxBodyBytes.
func WithMaxFileSize(n int64) LocalOption {
	return func(o *localOptions) {
		if n > 0 {
			o.maxBytes = n
		}
	}
}

// ReadLocal hands every post and page under root (a file or a folder, walked recursively in
// name order) to handle. It backfills history that the site no longer serves. Only regular
// files are read, each up to a size cap: a named pipe or a device would block or never end.
//
// Saved news lists (Eastmoney's JSON(P) responses; a feed or sitemap named as the file itself)
// are read like fetched ones: items that carry their body are handed over at once, and the items
// that only point at an article are returned, for FetchItems to fetch from their own hosts.
func ReadLocal(ctx context.Context, root string, log *zap.Logger, handle Handler, opts ...LocalOption) (Stats, []FeedItem, error) {
	var st Stats
	var items []FeedItem
	o := localOptions{maxBytes: DefaultMaxBodyBytes}
	for _, opt := range opts {
		opt(&o)
	}
	out := LocalOutcome{Limit: o.maxBytes}
	if o.outcome != nil {
		defer func() {
			out.ListItems = len(items)
			o.outcome(out)
		}()
	}
	handle = out.counting(handle)
	info, err := os.Stat(root)
	if err != nil {
		return st, nil, fmt.Errorf("read %s: %w", root, err)
	}
	var files []string
	if !info.IsDir() {
		if err := regular.Check(root); err != nil {
			return st, nil, fmt.Errorf("read: %w", err)
		}
		if archive.IsWARC(root) {
			return st, nil, readWARC(ctx, root, log, handle, &st)
		}
		files = []string{root}
	} else {
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				log.Warn("skip path", zap.String("path", p), zap.Error(err))
				atomic.AddInt64(&st.Errors, 1)
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if localTypes[strings.ToLower(filepath.Ext(p))] != "" || archive.IsWARC(p) {
				files = append(files, p)
			} else {
				out.Other++
			}
			return nil
		})
		if err != nil {
			return st, nil, fmt.Errorf("walk %s: %w", root, err)
		}
		sort.Strings(files)
	}
	out.Files = len(files)
	for _, p := range files {
		if err := ctx.Err(); err != nil {
			return st, items, err
		}
		if archive.IsWARC(p) {
			if err := readWARC(ctx, p, log, handle, &st); err != nil {
				if ctx.Err() != nil {
					return st, items, err
				}
				log.Warn("skip archive file", zap.String("path", p), zap.Error(err))
				out.unread(err)
			}
			continue
		}
		page, err := readFile(p, o.maxBytes)
		atomic.AddInt64(&st.Fetched, 1)
		if err != nil {
			atomic.AddInt64(&st.Errors, 1)
			log.Warn("skip file", zap.String("path", p), zap.Error(err))
			out.unread(err)
			continue
		}
		if savedList(page, !info.IsDir()) {
			f, err := ParseFeed(page.URL, "", page.Body)
			if err == nil {
				items = append(items, savedItems(ctx, page.URL, f, handle)...)
				continue
			}
			if page.ContentType == "application/json" {
				// A folder of saved lists may hold other JSON (a package.json): passed over quietly.
				level := zap.DebugLevel
				if !info.IsDir() {
					level = zap.InfoLevel
				}
				log.Log(level, "skip file", zap.String("path", p), zap.Error(err))
				out.NotLists++
				continue
			}
			// Otherwise it only began like JSON or XML: it is read as the post or page it is.
		}
		// A file the user pointed at that is no article is said at info: a backfill of the wrong
		// folder should not look like an empty success. (Over HTTP, listings are expected.)
		if err := handle(ctx, page); errors.Is(err, article.ErrNotArticle) {
			log.Info("skip file", zap.String("path", p), zap.Error(err))
		}
	}
	return st, items, nil
}

// localName is the path of a local page's file, or the URL of an archived one.
func localName(p *article.Page) string {
	if p.URL == nil {
		return "?"
	}
	if p.URL.Scheme == "file" {
		return filepath.Base(filepath.FromSlash(p.URL.Path))
	}
	return p.URL.String()
}

// savedList reports whether a local file may be a saved news list: a .json/.jsonp/.js file, a
// file whose bytes begin like JSON or JSONP (a list saved under its endpoint's .html name), or,
// when the user named the file itself, XML (a saved feed or sitemap; a folder's XML is the
// site's own config and feed, not backfill input).
func savedList(p *article.Page, named bool) bool {
	if p.ContentType == "application/json" {
		return true
	}
	head := bytes.TrimSpace(p.Body[:min(len(p.Body), 256)])
	if len(head) > 0 && head[0] == '<' {
		return named && bytes.HasPrefix(head, []byte("<?xml"))
	}
	return looksLikeData(head)
}

// savedItems hands over the items of a saved list that carry their body and returns those that
// only point at an article. A saved file has no host to stay on: its items are trusted as the
// user's own input.
func savedItems(ctx context.Context, file *url.URL, f *Feed, handle Handler) []FeedItem {
	var fetch []FeedItem
	for _, it := range f.Items {
		u, err := url.Parse(it.URL)
		if err != nil || it.URL == "" {
			u = nil
		}
		if it.ContentHTML != "" && (f.Kind == "json" || u == nil) {
			_ = handleItem(ctx, file, u, it, itemHint(u, it), handle) // the handler logs and counts
			continue
		}
		if u != nil && (u.Scheme == "http" || u.Scheme == "https") {
			fetch = append(fetch, it)
		}
	}
	return fetch
}

// ReadFile reads one local file of at most DefaultMaxBodyBytes bytes as a page with a file://
// URL.
func ReadFile(path string) (*article.Page, error) { return readFile(path, DefaultMaxBodyBytes) }

func readFile(path string, maxBytes int64) (*article.Page, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	b, err := regular.ReadFile(abs, maxBytes)
	switch {
	case errors.Is(err, regular.ErrNotRegular), errors.Is(err, regular.ErrTooLarge):
		return nil, fmt.Errorf("read: %w", err)
	case err != nil:
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
