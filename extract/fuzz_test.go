package extract

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsmill/newsmill/article"
)

func FuzzFinewsPost(f *testing.F) {
	for _, name := range []string{"2022-03-15-202203151234567890.md", "2022-03-16-NW202203161234567891.md", "2021-12-09-202112091234567892.md"} {
		b, err := os.ReadFile(filepath.Join(fixtureDir, "finews-post", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("---\n---\n"))                               // empty front matter: no title, no date
	f.Add([]byte("---\ntitle: x\ndate: 2021-12-08\n"))        // unterminated front matter
	f.Add([]byte("---\ntitle: [a\n---\n"))                    // YAML syntax error
	f.Add([]byte("---\ntitle: {a: 1}\ndate: 1\n---\nx"))      // title is a mapping
	f.Add([]byte("---\ntitle: x\ndate: 2021-12-08 9\n---\n")) // date with a broken clock
	f.Add([]byte("---\r\ntitle: x\r\ndate: 2021-12-08 10:00:00\r\n---\r\n<!-- EM_StockImg_Start --><p>"))
	f.Add([]byte("---\ntitle: x\ndate: 2021-12-08 10:00:00 +\n---\n> \n<>\n[返回](\n"))
	u, _ := url.Parse("file:///posts/2022-03-15-202203151234567890.md")
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := NewFinewsPost().Extract(article.NewPage(u, "text/markdown", b, time.Unix(0, 0)))
		if err != nil {
			if !errors.Is(err, article.ErrMalformed) && !errors.Is(err, article.ErrMissingField) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		if err := rec.Finish("finews-post", time.Unix(0, 0)); err != nil {
			t.Fatalf("extracted a record that fails Finish: %v", err)
		}
	})
}

func FuzzParseFrontMatter(f *testing.F) {
	f.Add([]byte("---\ntitle: a\n---\nbody"))
	f.Add([]byte("\n\n---\r\ntitle: a\r\n---\r\nbody")) // leading blank line and CRLF
	f.Add([]byte("---\n"))                              // a lone fence
	f.Add([]byte("---"))                                // no newline at all
	f.Add([]byte("--- \n--- \n"))                       // fences with trailing spaces
	f.Add([]byte("---\n- a\n- b\n---\n"))               // YAML that is a list, not a mapping
	f.Add([]byte("---\ntags:\n  - [a]\n---\n"))         // nested list in tags
	f.Add([]byte("\xef\xbb\xbf---\ntitle: bom\n---\n")) // byte order mark
	f.Fuzz(func(t *testing.T, b []byte) {
		fm, body, err := ParseFrontMatter(b)
		if err != nil {
			if !errors.Is(err, article.ErrMalformed) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		if len(body) > len(b) {
			t.Fatalf("body longer than the input")
		}
		_ = fm
	})
}
