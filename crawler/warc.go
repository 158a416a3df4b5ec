package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/newsmill/newsmill/archive"
	"github.com/newsmill/newsmill/article"
)

// ArchivedPage makes the page an archived response holds, as the fetch that got it would have:
// the record's URL and fetch time, the body decoded by its Content-Type, Last-Modified kept.
func ArchivedPage(resp *archive.Response) (*article.Page, error) {
	u, err := url.Parse(resp.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("%w: record url %q", ErrNotPage, resp.URL)
	}
	var modified = lastModified(resp.Header.Get("Last-Modified"))
	page, err := decodePage(u, resp.Header.Get("Content-Type"), resp.Body, nil, modified)
	if err != nil {
		return nil, err
	}
	page.FetchedAt = resp.Date
	return page, nil
}

func lastModified(v string) (t0 time.Time) {
	if v == "" {
		return t0
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return t0
	}
	return t
}

// readWARC hands every 200 response of one WARC file (ours or any crawler's) to handle, as
// pages fetched at the record's time from the record's URL. Redirects, errors and revisits
// carry no page of their own. A file cut mid-record gives every whole record before the cut.
func readWARC(ctx context.Context, path string, log *zap.Logger, handle Handler, st *Stats) error {
	r, err := archive.OpenFile(path)
	if err != nil {
		return err
	}
	defer r.Close()
	for read := 0; ; read++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		resp, err := r.Next()
		if read == 0 && (err == io.EOF || errors.Is(err, archive.ErrTruncated)) {
			// Not "ends inside a record": a file of other bytes named .warc.gz, or an empty one,
			// has no record to end inside, and the user must hear which file it is.
			return fmt.Errorf("%w: %s holds no whole WARC record", ErrNotPage, path)
		}
		if err == io.EOF {
			return nil
		}
		if errors.Is(err, archive.ErrTruncated) {
			log.Warn("archive file ends inside a record; read up to it", zap.String("path", path), zap.Error(err))
			return nil
		}
		if err != nil {
			atomic.AddInt64(&st.Errors, 1)
			return err
		}
		atomic.AddInt64(&st.Fetched, 1)
		if resp.Status != http.StatusOK {
			continue
		}
		page, err := ArchivedPage(resp)
		if err != nil {
			log.Debug("skip archived response", zap.String("url", resp.URL), zap.Error(err))
			continue
		}
		if err := handle(ctx, page); errors.Is(err, article.ErrNotArticle) {
			log.Debug("skip archived response", zap.String("url", resp.URL), zap.Error(err))
		}
	}
}
