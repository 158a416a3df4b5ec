package extract

import (
	"bytes"
	"fmt"

	"github.com/newsmill/newsmill/article"
)

// whole refuses a page of a known template that stops before its closing </html>. A server that
// closes the connection early without a Content-Length (or a file cut short on disk) delivers
// a page that parses fine and reads as a shorter article: half a record. The site templates
// newsmill knows (Jekyll's layout, Eastmoney's pages) always end with </html>, so its absence
// in the page's tail means the bytes are cut.
func whole(body []byte) error {
	tail := body[max(0, len(body)-4096):]
	if bytes.Contains(bytes.ToLower(tail), []byte("</html>")) {
		return nil
	}
	return fmt.Errorf("%w: truncated page: it ends before </html> (%d bytes read)", article.ErrMalformed, len(body))
}
