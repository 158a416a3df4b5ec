package extract

import (
	"fmt"
	"strings"
	"time"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/internal/textrule"
)

// parseGMTStamp reads the finews page's "(GMT+8, Asia/Shanghai, CST) 2021-12-20 18:24:28": the
// offset comes from the "GMT+8" label, the rest is the wall-clock time in it.
func parseGMTStamp(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	label, clock, ok := strings.Cut(s, ")")
	if !ok || !strings.HasPrefix(label, "(GMT") {
		return time.Time{}, fmt.Errorf("parse date %q: no (GMT…) label: %w", s, article.ErrMalformed)
	}
	off := strings.TrimPrefix(label, "(GMT")
	if i := strings.IndexByte(off, ','); i >= 0 {
		off = off[:i]
	}
	off = strings.TrimSpace(off)
	loc := time.UTC
	if off != "" {
		z, err := textrule.ParseOffset(off)
		if err != nil {
			return time.Time{}, fmt.Errorf("parse date %q: %w: %w", s, article.ErrMalformed, err)
		}
		loc = z
	}
	clock = strings.TrimSpace(clock)
	if clock == "" {
		return time.Time{}, fmt.Errorf("%w: published_at: no time after %q", article.ErrMissingField, label+")")
	}
	t, err := time.ParseInLocation("2006-01-02 15:04:05", clock, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse date %q: %w", s, article.ErrMalformed)
	}
	return t, nil
}
