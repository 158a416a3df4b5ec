package crawler

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/newsmill/newsmill/archive"
	"github.com/newsmill/newsmill/article"
)

// Archiver keeps the responses a crawl fetched: *archive.Writer. The crawler hands it every
// response its transport returns (articles, listings, feeds, robots.txt, redirects, 304s and
// 4xx); a 429 or 5xx that is retried is not kept, nor a body past the cap.
type Archiver interface {
	Write(ctx context.Context, ex archive.Exchange) (archive.Ref, error)
}

// archivedHeader carries a response's archive ref from the transport to the page made from it,
// through Colly, which passes headers on and nothing else. The transport deletes any such
// header a server sent.
const archivedHeader = "X-Newsmill-Archived"

// keep archives one response and notes where in h. A response that cannot be archived fails
// its fetch: a record written without its response would break the promise that every record
// has one.
func (t *transport) keep(ctx context.Context, req *http.Request, resp *http.Response, body []byte, h http.Header) error {
	ref, err := t.archive.Write(ctx, archive.Exchange{
		URL: req.URL.String(), Date: time.Now(), Method: req.Method, RequestHeader: req.Header,
		Proto: resp.Proto, Status: resp.StatusCode, Header: resp.Header, Body: body,
	})
	if err != nil {
		return fmt.Errorf("%w: %v", ErrArchive, err)
	}
	// A revisit holds no payload: the page made from it names the record that does, so
	// export --raw and reextract read its bytes.
	if ref.Revisit && ref.Refers != nil {
		ref = *ref.Refers
	}
	h.Set(archivedHeader, encodeArchived(ref))
	return nil
}

// encodeArchived writes what a page needs of a ref on one header line: file, offset, record
// id, digest, date (unix seconds). None of them holds a space.
func encodeArchived(r archive.Ref) string {
	return fmt.Sprintf("%s %d %s %s %d", r.File, r.Offset, r.RecordID, r.Digest, r.Date.Unix())
}

// archivedFrom reads the ref the transport noted on a response, nil when there is none.
func archivedFrom(h http.Header, u string) *article.Archived {
	f := strings.Fields(h.Get(archivedHeader))
	if len(f) != 5 {
		return nil
	}
	off, err1 := strconv.ParseInt(f[1], 10, 64)
	sec, err2 := strconv.ParseInt(f[4], 10, 64)
	if err1 != nil || err2 != nil {
		return nil
	}
	return &article.Archived{File: f[0], Offset: off, RecordID: f[2], Digest: f[3], Date: time.Unix(sec, 0).UTC(), URL: u}
}
