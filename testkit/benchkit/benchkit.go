// Package benchkit holds the workloads newsmill's benchmarks share: the pages each extractor is
// timed on, the parse-only floor they are compared with, and a store filled to a given size.
// The Go benchmarks (go test -bench) and the table printed by `make bench` (bench/) run the same
// code, so the two never measure different things.
package benchkit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/extract"
	"github.com/newsmill/newsmill/testkit/sitegen"
)

// Doc is one input page.
type Doc struct {
	URL         *url.URL
	ContentType string
	Body        []byte
	// Key names the page for scoring: the info code the page should give.
	Key string
	// Want is the body a perfect extractor returns (the truth's, or the generated paragraphs).
	Want string
}

// Set is a named list of pages of one kind.
type Set struct {
	Name  string
	Docs  []Doc
	Bytes int64
}

func (s *Set) add(d Doc) {
	s.Docs = append(s.Docs, d)
	s.Bytes += int64(len(d.Body))
}

// FinewsPages is the rendered post pages of a sitegen site of n posts (n + n/3 pages: media
// articles have a rolling-news twin).
func FinewsPages(n int) Set {
	site := sitegen.New(n)
	s := Set{Name: "finews (sitegen)"}
	for _, p := range site.Posts {
		b, _ := site.Page(p.Path)
		s.add(Doc{URL: &url.URL{Scheme: "http", Host: "finews.withounder.com", Path: p.Path}, ContentType: "text/html", Body: b, Key: p.ID, Want: want(p)})
	}
	return s
}

func want(p sitegen.Post) string { return strings.Join(p.Paras, "\n\n") }

// RawPosts is the raw post files of a sitegen site of n posts.
func RawPosts(n int) Set {
	site := sitegen.New(n)
	s := Set{Name: "finews-post (sitegen)"}
	for _, p := range site.Posts {
		name, b := p.RawPost()
		s.add(Doc{URL: &url.URL{Scheme: "file", Path: "/posts/" + name}, ContentType: "text/markdown", Body: b, Key: p.ID, Want: want(p)})
	}
	return s
}

// EastmoneyPages is every post of a sitegen site of n posts in Eastmoney's article template.
func EastmoneyPages(n int) Set {
	site := sitegen.New(n)
	s := Set{Name: "eastmoney (sitegen)"}
	for _, p := range site.Posts {
		u, b := p.EastmoneyPage()
		pu, _ := url.Parse(u)
		s.add(Doc{URL: pu, ContentType: "text/html", Body: b, Key: p.ID, Want: want(p)})
	}
	return s
}

// SharedDir finds ../shared next to the repository containing dir (or one of its parents);
// "" when it is absent.
func SharedDir(dir string) string {
	dir, _ = filepath.Abs(dir)
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(d, "testkit", "benchkit")); err == nil {
				sh := filepath.Join(d, "..", "shared")
				if _, err := os.Stat(filepath.Join(sh, "corpus", "site")); err == nil {
					return sh
				}
				return ""
			}
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// MirrorPages is the article pages of the shared corpus's rendered site that truth-site.jsonl
// lists (post pages only: no listing, no page Jekyll rendered from a post without front matter),
// each with the URL the site serves it at and the truth's body.
func MirrorPages(shared string) (Set, error) {
	root := filepath.Join(shared, "corpus", "site")
	s := Set{Name: "finews (mirror)"}
	truth, err := readTruth(filepath.Join(shared, "corpus", "truth-site.jsonl"))
	if err != nil {
		return s, err
	}
	var files []string
	err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() || !strings.HasSuffix(p, ".html") || strings.HasPrefix(rel, "category") || filepath.Base(p) == "index.html" {
			return nil
		}
		files = append(files, p)
		return nil
	})
	if err != nil {
		return s, fmt.Errorf("read mirror %s: %w", root, err)
	}
	sort.Strings(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return s, fmt.Errorf("read mirror: %w", err)
		}
		rel, _ := filepath.Rel(root, f)
		stem := strings.TrimSuffix(filepath.Base(f), ".html")
		t, ok := truth[stem]
		if !ok {
			continue
		}
		s.add(Doc{URL: &url.URL{Scheme: "http", Host: "finews.withounder.com", Path: "/" + filepath.ToSlash(rel)}, ContentType: "text/html", Body: b, Key: t.ID, Want: t.Body})
	}
	if len(s.Docs) == 0 {
		return s, fmt.Errorf("read mirror %s: no post pages", root)
	}
	return s, nil
}

type truthRecord struct {
	ID   string `json:"id"`
	File string `json:"file"`
	Body string `json:"body"`
}

// readTruth maps a post's file stem (without the date) to its truth record: twins share an id
// but not a stem, and each page is scored against its own post.
func readTruth(path string) (map[string]truthRecord, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read truth: %w", err)
	}
	out := map[string]truthRecord{}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var r truthRecord
		if err := json.Unmarshal(line, &r); err != nil {
			return nil, fmt.Errorf("read truth %s: %w", path, err)
		}
		stem := strings.TrimSuffix(r.File, ".md")
		if len(stem) > 11 && stem[4] == '-' && stem[7] == '-' && stem[10] == '-' {
			stem = stem[11:]
		}
		out[stem] = r
	}
	return out, nil
}

// Repeat cycles the set's pages until it holds n.
func Repeat(s Set, n int) Set {
	out := Set{Name: fmt.Sprintf("%s ×%d", s.Name, n)}
	for i := 0; i < n && len(s.Docs) > 0; i++ {
		out.add(s.Docs[i%len(s.Docs)])
	}
	return out
}

// Extract times the registry on the set: one op is one page, in order, round robin. Every page
// must give a record; a failure stops the benchmark, since a fast wrong answer is no figure.
func Extract(b *testing.B, reg *extract.Registry, s Set) {
	b.SetBytes(s.Bytes / int64(len(s.Docs)))
	b.ReportAllocs()
	at := time.Unix(1700000000, 0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := s.Docs[i%len(s.Docs)]
		if _, err := reg.Extract(article.NewPage(d.URL, d.ContentType, d.Body, at)); err != nil {
			b.Fatalf("%s: %v", d.URL, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// Parse times golang.org/x/net/html alone on the same bytes: the floor an extractor that reads a
// DOM cannot go under.
func Parse(b *testing.B, s Set) {
	b.SetBytes(s.Bytes / int64(len(s.Docs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := html.Parse(bytes.NewReader(s.Docs[i%len(s.Docs)].Body)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}
