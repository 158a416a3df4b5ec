package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// page is an article page of the common shape (header, nav, one article with a dated byline,
// footer), long enough for both libraries to take its body as the content.
func page(title, marker string) string {
	var b strings.Builder
	for i := range 6 {
		fmt.Fprintf(&b, "<p>%s paragraph %d: the harbour authority said on Tuesday that shipments of grain had risen for the third month in a row, with traders pointing to lower freight costs and a calmer season.</p>\n", marker, i)
	}
	return fmt.Sprintf(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>%s</title>
<meta property="article:published_time" content="2024-03-05T08:30:00Z"></head>
<body><header><nav><a href="/">Home</a> <a href="/markets">Markets</a></nav></header>
<main><article><h1>%s</h1><p class="byline">By A. Writer, <time datetime="2024-03-05T08:30:00Z">5 March 2024</time></p>
%s</article></main><footer><p>Copyright the paper</p></footer></body></html>`, title, title, b.String())
}

func TestEachLibraryGetsOneRecordPerPageWithItsURLAndBody(t *testing.T) {
	pages, out := t.TempDir(), t.TempDir()
	markers := map[string]string{"a.html": "Alphaport", "b.html": "Betaville"}
	for name, m := range markers {
		if err := os.WriteFile(filepath.Join(pages, name), []byte(page(m+" grain shipments rise", m)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	n, err := write("fixture", pages, out)
	if err != nil {
		t.Fatal(err)
	}
	if n != (counts{pages: 2, readability: 2, trafilatura: 2}) {
		t.Errorf("counts %+v, want 2 pages and 2 records of each library", n)
	}
	for _, lib := range []string{"go-readability", "go-trafilatura"} {
		b, err := os.ReadFile(filepath.Join(out, lib+"-fixture.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if len(lines) != 2 {
			t.Fatalf("%s: %d lines, want one per page:\n%s", lib, len(lines), b)
		}
		seen := map[string]bool{}
		for _, l := range lines {
			var rec map[string]string
			if err := json.Unmarshal([]byte(l), &rec); err != nil {
				t.Fatalf("%s: line %q: %v", lib, l, err)
			}
			u, err := url.Parse(rec["url"])
			if err != nil || u.Scheme != "file" || !filepath.IsAbs(u.Path) {
				t.Errorf("%s: url %q is not the page's absolute file URL", lib, rec["url"])
				continue
			}
			m := markers[filepath.Base(u.Path)]
			if m == "" || filepath.Dir(u.Path) != pages {
				t.Errorf("%s: url %q names no page of the set", lib, rec["url"])
				continue
			}
			seen[m] = true
			if !strings.Contains(rec["body"], m+" paragraph 5") || strings.Contains(rec["body"], "Copyright the paper") {
				t.Errorf("%s: body of %s is not the article's text: %q", lib, u.Path, rec["body"])
			}
			if !strings.Contains(rec["title"], m) {
				t.Errorf("%s: title of %s is %q, not the page's", lib, u.Path, rec["title"])
			}
		}
		if len(seen) != 2 {
			t.Errorf("%s: records name %d distinct pages, want 2", lib, len(seen))
		}
	}
	b, _ := os.ReadFile(filepath.Join(out, "go-trafilatura-fixture.jsonl"))
	if !strings.Contains(string(b), `"published_at":"2024-03-05T`) { // go-trafilatura keeps the day only
		t.Errorf("go-trafilatura's records lack the page's date: %s", b)
	}
}

func TestAFolderWithoutPagesIsAnErrorNotEmptyFiles(t *testing.T) {
	out := t.TempDir()
	if _, err := write("empty", t.TempDir(), out); err == nil || !strings.Contains(err.Error(), "no *.html pages") {
		t.Errorf("err = %v, want one naming the missing pages", err)
	}
	if files, _ := filepath.Glob(filepath.Join(out, "*")); len(files) != 0 {
		t.Errorf("files written for an empty set: %v", files)
	}
}
