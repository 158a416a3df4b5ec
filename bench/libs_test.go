package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	readability "codeberg.org/readeck/go-readability/v2"
	trafilatura "github.com/markusmobius/go-trafilatura"
)

// ExtractionSets are the development sets of ../shared/extraction (its README), in the order
// bench/extraction.sh scores them.
var ExtractionSets = []string{"zyte", "cwced", "l3s-gn1", "htmldate-mc", "htmldate-bbaw"}

// TestWriteLibraryRecords writes what go-readability and go-trafilatura extract from each page of
// ../shared/extraction as records ({"url","body","published_at"}) into $NEWSMILL_LIBS_OUT, for
// bench/extraction.sh to score beside newsmill's own run. Without the variable it does nothing.
func TestWriteLibraryRecords(t *testing.T) {
	out := os.Getenv("NEWSMILL_LIBS_OUT")
	if out == "" {
		t.Skip("NEWSMILL_LIBS_OUT not set")
	}
	for _, set := range ExtractionSets {
		dir, _ := filepath.Abs(filepath.Join("..", "..", "shared", "extraction", set, "pages"))
		files, _ := filepath.Glob(filepath.Join(dir, "*.html"))
		if len(files) == 0 {
			t.Logf("no pages under %s: skipped", dir)
			continue
		}
		var rd, tr bytes.Buffer
		for _, p := range extractionPagesOf(t, files) {
			rp := readability.NewParser()
			if a, err := rp.Parse(bytes.NewReader(p.body), p.u); err == nil {
				var b bytes.Buffer
				a.RenderText(&b)
				rec := map[string]string{"url": p.u.String(), "body": b.String(), "title": a.Title()}
				if d, err := a.PublishedTime(); err == nil && !d.IsZero() {
					rec["published_at"] = d.Format("2006-01-02T15:04:05Z07:00")
				}
				line, _ := json.Marshal(rec)
				rd.Write(append(line, '\n'))
			}
			if r, err := trafilatura.Extract(bytes.NewReader(p.body), trafilatura.Options{OriginalURL: p.u}); err == nil && r != nil {
				rec := map[string]string{"url": p.u.String(), "body": r.ContentText, "title": r.Metadata.Title}
				if !r.Metadata.Date.IsZero() {
					rec["published_at"] = r.Metadata.Date.Format("2006-01-02T15:04:05Z07:00")
				}
				line, _ := json.Marshal(rec)
				tr.Write(append(line, '\n'))
			}
		}
		if err := os.WriteFile(filepath.Join(out, "go-readability-"+set+".jsonl"), rd.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, "go-trafilatura-"+set+".jsonl"), tr.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
