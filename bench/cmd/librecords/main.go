// Command librecords writes what go-readability and go-trafilatura extract from each page of a
// folder as records ({"url","body","published_at"}), one JSONL file per library, so that
// bench/extraction.sh can score them with the same tool and truth as newsmill's own run.
//
//	go run ./cmd/librecords -set zyte -pages ../../shared/extraction/zyte/pages -out DIR
//
// writes DIR/go-readability-zyte.jsonl and DIR/go-trafilatura-zyte.jsonl. A page a library gives
// nothing for has no line in its file; the scorer counts it as missed.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	readability "codeberg.org/readeck/go-readability/v2"
	trafilatura "github.com/markusmobius/go-trafilatura"

	"github.com/newsmill/newsmill/crawler"
)

func main() {
	set := flag.String("set", "", "name of the set, used in the output file names")
	pages := flag.String("pages", "", "folder of the set's *.html pages")
	out := flag.String("out", "", "folder the two JSONL files are written to")
	libs := flag.String("libs", "readability,trafilatura", "which libraries to run (a whole-process timing runs one)")
	flag.Parse()
	runReadability, runTrafilatura = strings.Contains(*libs, "readability"), strings.Contains(*libs, "trafilatura")
	if *set == "" || *pages == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "librecords: -set, -pages and -out are required")
		os.Exit(2)
	}
	n, err := write(*set, *pages, *out)
	if err != nil {
		fmt.Fprintf(os.Stderr, "librecords: %v\n", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "librecords: %s: %d pages, %d go-readability and %d go-trafilatura records\n", *set, n.pages, n.readability, n.trafilatura)
}

type counts struct{ pages, readability, trafilatura int }

var runReadability, runTrafilatura = true, true

// write extracts every *.html page of dir with both libraries and writes their records. The
// pages are decoded to UTF-8 the way the crawler decodes them, so the libraries read the same
// bytes newsmill's extractors do.
func write(set, dir, out string) (counts, error) {
	var n counts
	files, err := filepath.Glob(filepath.Join(dir, "*.html"))
	if err != nil {
		return n, err
	}
	if len(files) == 0 {
		return n, fmt.Errorf("no *.html pages under %s", dir)
	}
	var rd, tr bytes.Buffer
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return n, err
		}
		body, _, err := crawler.Decode("", raw)
		if err != nil {
			return n, fmt.Errorf("decode %s: %w", f, err)
		}
		abs, err := filepath.Abs(f)
		if err != nil {
			return n, err
		}
		u := &url.URL{Scheme: "file", Path: abs}
		n.pages++
		if rec, ok := readabilityRecord(body, u); runReadability && ok {
			n.readability++
			if err := line(&rd, rec); err != nil {
				return n, err
			}
		}
		if r, err := trafilaturaRecord(body, u); runTrafilatura && err == nil && r != nil {
			rec := map[string]string{"url": u.String(), "body": r.ContentText, "title": r.Metadata.Title}
			if !r.Metadata.Date.IsZero() {
				rec["published_at"] = r.Metadata.Date.Format("2006-01-02T15:04:05Z07:00")
			}
			n.trafilatura++
			if err := line(&tr, rec); err != nil {
				return n, err
			}
		}
	}
	if err := os.WriteFile(filepath.Join(out, "go-readability-"+set+".jsonl"), rd.Bytes(), 0o644); err != nil {
		return n, err
	}
	return n, os.WriteFile(filepath.Join(out, "go-trafilatura-"+set+".jsonl"), tr.Bytes(), 0o644)
}

// trafilaturaRecord runs go-trafilatura on the page, when this run runs it.
func trafilaturaRecord(body []byte, u *url.URL) (*trafilatura.ExtractResult, error) {
	if !runTrafilatura {
		return nil, nil
	}
	return trafilatura.Extract(bytes.NewReader(body), trafilatura.Options{OriginalURL: u})
}

// readabilityRecord is go-readability's body, title and, where it finds one, publish time.
func readabilityRecord(body []byte, u *url.URL) (map[string]string, bool) {
	if !runReadability {
		return nil, false
	}
	rp := readability.NewParser()
	a, err := rp.Parse(bytes.NewReader(body), u)
	if err != nil {
		return nil, false
	}
	var b bytes.Buffer
	if err := a.RenderText(&b); err != nil {
		return nil, false
	}
	rec := map[string]string{"url": u.String(), "body": b.String(), "title": a.Title()}
	if d, err := a.PublishedTime(); err == nil && !d.IsZero() {
		rec["published_at"] = d.Format("2006-01-02T15:04:05Z07:00")
	}
	return rec, true
}

func line(w io.Writer, rec map[string]string) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
