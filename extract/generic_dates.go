package extract

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/newsmill/newsmill/internal/textrule"
)

// genLabelledDateRe finds a date that the page labels as the publishing time.
var genLabelledDateRe = regexp.MustCompile(`(?:发布时间|发布日期|发表时间|发稿时间|时间|日期|更新时间)\s*[：:]\s*`)

// genParseTime reads a time with a Go layout, in Asia/Shanghai unless the layout carries a zone.
func genParseTime(layout, s string) (time.Time, error) {
	t, err := time.ParseInLocation(layout, strings.TrimSpace(s), textrule.Shanghai)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse date %q: %w", s, err)
	}
	return t, nil
}
