package archive

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	kgzip "github.com/klauspost/compress/gzip"

	"github.com/newsmill/newsmill/testkit/benchkit"
)

// The benchmarks weigh the writer and reader built on gowarc against a minimal hand-written
// pair (below): what the library costs over the least a WARC writer must do.
//
//	go test ./archive -run '^$' -bench . -benchtime 3x

func benchPages(n int) []Exchange {
	set := benchkit.FinewsPages(n)
	out := make([]Exchange, len(set.Docs))
	for i, d := range set.Docs {
		out[i] = Exchange{URL: d.URL.String(), Date: t0.Add(time.Duration(i) * time.Second), Status: 200,
			RequestHeader: http.Header{"User-Agent": {"newsmill/1"}},
			Header:        http.Header{"Content-Type": {"text/html; charset=utf-8"}, "Etag": {`"abc"`}, "Last-Modified": {"Mon, 07 Dec 2026 09:00:00 GMT"}},
			Body:          d.Body}
	}
	return out
}

func BenchmarkWrite1000Pages(b *testing.B) {
	pages := benchPages(1000)
	var size, body int64
	for _, p := range pages {
		body += int64(len(p.Body))
	}
	cpu0 := cpuTime()
	for b.Loop() {
		dir := b.TempDir()
		w, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range pages {
			if _, err := w.Write(context.Background(), p); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		size = dirSize(dir)
	}
	b.ReportMetric(float64(size)/float64(len(pages)), "disk-B/page")
	b.ReportMetric(float64(body)/float64(len(pages)), "body-B/page")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(pages)), "µs/page")
	b.ReportMetric((cpuTime()-cpu0).Seconds()*1e6/float64(b.N*len(pages)), "cpu-µs/page")
}

func BenchmarkWrite1000PagesHandWritten(b *testing.B) {
	pages := benchPages(1000)
	var size int64
	cpu0 := cpuTime()
	for b.Loop() {
		dir := b.TempDir()
		f, _ := os.Create(filepath.Join(dir, "x.warc.gz"))
		hw := &handWriter{f: f}
		for _, p := range pages {
			if err := hw.write(p); err != nil {
				b.Fatal(err)
			}
		}
		f.Sync()
		f.Close()
		size = dirSize(dir)
	}
	b.ReportMetric(float64(size)/float64(len(pages)), "disk-B/page")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(pages)), "µs/page")
	b.ReportMetric((cpuTime()-cpu0).Seconds()*1e6/float64(b.N*len(pages)), "cpu-µs/page")
}

func BenchmarkRead1000Pages(b *testing.B) {
	path := writeBenchFile(b, 1000)
	want := len(benchPages(1000))
	cpu0 := cpuTime()
	for b.Loop() {
		r, err := OpenFile(path)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			resp, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if len(resp.Body) < 1000 {
				b.Fatalf("payload of %d bytes", len(resp.Body))
			}
			n++
		}
		r.Close()
		if n != want {
			b.Fatalf("read %d, want %d", n, want)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*want), "µs/page")
	b.ReportMetric((cpuTime()-cpu0).Seconds()*1e6/float64(b.N*want), "cpu-µs/page")
}

func BenchmarkRead1000PagesHandWritten(b *testing.B) {
	path := writeBenchFile(b, 1000)
	want := len(benchPages(1000))
	cpu0 := cpuTime()
	for b.Loop() {
		n, err := handRead(path)
		if err != nil || n != want {
			b.Fatalf("read %d, %v", n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*want), "µs/page")
	b.ReportMetric((cpuTime()-cpu0).Seconds()*1e6/float64(b.N*want), "cpu-µs/page")
}

// The hand-written reader must agree with ours on our files, or its figures mean nothing.
func TestTheHandWrittenReaderReadsWhatTheWriterWrote(t *testing.T) {
	path := writeBenchFile(t, 20)
	n, err := handRead(path)
	if want := len(benchPages(20)); err != nil || n != want {
		t.Fatalf("hand reader: %d responses, %v", n, err)
	}
}

func writeBenchFile(tb testing.TB, n int) string {
	dir := tb.TempDir()
	w, err := Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	for _, p := range benchPages(n) {
		if _, err := w.Write(context.Background(), p); err != nil {
			tb.Fatal(err)
		}
	}
	w.Close()
	files, _ := Files(dir)
	return files[0]
}

func dirSize(dir string) int64 {
	var n int64
	files, _ := Files(dir)
	for _, f := range files {
		if info, err := os.Stat(f); err == nil {
			n += info.Size()
		}
	}
	return n
}

// handWriter is the least a WARC writer does: headers by hand, SHA-1 digests, a gzip member per
// record; no validation, no record model.
type handWriter struct {
	f   *os.File
	buf bytes.Buffer
	gz  *kgzip.Writer // the writer's own gzip, so the two differ in what they do around it only
}

func (h *handWriter) record(typ, uri string, date time.Time, ctype string, block []byte, extra string) error {
	h.buf.Reset()
	if h.gz == nil {
		h.gz = kgzip.NewWriter(&h.buf)
	} else {
		h.gz.Reset(&h.buf)
	}
	fmt.Fprintf(h.gz, "WARC/1.1\r\nWARC-Type: %s\r\nWARC-Record-ID: %s\r\nWARC-Date: %s\r\nWARC-Target-URI: %s\r\nContent-Type: %s\r\nWARC-Block-Digest: %s\r\n%sContent-Length: %d\r\n\r\n",
		typ, newID(), date.UTC().Format(time.RFC3339), uri, ctype, PayloadDigest(block), extra, len(block))
	h.gz.Write(block)
	io.WriteString(h.gz, "\r\n\r\n")
	h.gz.Close()
	_, err := h.f.Write(h.buf.Bytes())
	return err
}

func (h *handWriter) write(ex Exchange) error {
	var req bytes.Buffer
	target, host := requestTarget(ex.URL)
	fmt.Fprintf(&req, "GET %s HTTP/1.1\r\nHost: %s\r\n", target, host)
	writeHeader(&req, ex.RequestHeader)
	if err := h.record("request", ex.URL, ex.Date, "application/http;msgtype=request", req.Bytes(), ""); err != nil {
		return err
	}
	var resp bytes.Buffer
	fmt.Fprintf(&resp, "HTTP/1.1 %d %s\r\n", ex.Status, http.StatusText(ex.Status))
	hd := ex.Header.Clone()
	hd.Set("Content-Length", strconv.Itoa(len(ex.Body)))
	writeHeader(&resp, hd)
	resp.Write(ex.Body)
	return h.record("response", ex.URL, ex.Date, "application/http;msgtype=response", resp.Bytes(), "WARC-Payload-Digest: "+PayloadDigest(ex.Body)+"\r\n")
}

// handRead counts the response records of a .warc.gz with bufio, textproto and net/http.
func handRead(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return 0, err
	}
	br := bufio.NewReaderSize(zr, 1<<16)
	tp := textproto.NewReader(br)
	n := 0
	for {
		line, err := tp.ReadLine()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if line == "" {
			continue
		}
		h, err := tp.ReadMIMEHeader()
		if err != nil {
			return n, err
		}
		length, _ := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
		block := make([]byte, length)
		if _, err := io.ReadFull(br, block); err != nil {
			return n, err
		}
		if h.Get("WARC-Type") == "response" {
			resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(block)), nil)
			if err != nil {
				return n, err
			}
			if _, err := io.ReadAll(resp.Body); err != nil {
				return n, err
			}
			n++
		}
	}
}

// BenchmarkArchiveRealNewsPages archives the real pages of ../shared/extraction (889 news
// pages of five public sets, as served) and reports the bytes on disk per page: what an archive
// of real sites costs, beside the generated pages above.
//
//	go test ./archive -run '^$' -bench RealNews -benchtime 1x
func BenchmarkArchiveRealNewsPages(b *testing.B) {
	pages, _ := filepath.Glob("../../shared/extraction/*/pages/*.html")
	if len(pages) == 0 {
		pages, _ = filepath.Glob("../shared/extraction/*/pages/*.html")
	}
	if len(pages) == 0 {
		b.Skip("../shared/extraction is absent")
	}
	var exs []Exchange
	var raw int64
	for i, p := range pages {
		body, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		raw += int64(len(body))
		exs = append(exs, Exchange{URL: fmt.Sprintf("https://news.example.com/p/%d.html", i), Date: t0, Status: 200,
			RequestHeader: http.Header{"User-Agent": {"newsmill/1"}},
			Header:        http.Header{"Content-Type": {"text/html"}, "Etag": {`"abc"`}}, Body: body})
	}
	var size int64
	cpu0 := cpuTime()
	for b.Loop() {
		dir := b.TempDir()
		w, _ := Open(dir)
		for _, ex := range exs {
			if _, err := w.Write(context.Background(), ex); err != nil {
				b.Fatal(err)
			}
		}
		w.Close()
		size = dirSize(dir)
	}
	b.ReportMetric((cpuTime()-cpu0).Seconds()*1e6/float64(b.N*len(exs)), "cpu-µs/page")
	b.ReportMetric(float64(raw)/float64(len(exs)), "page-B")
	b.ReportMetric(float64(size)/float64(len(exs)), "disk-B/page")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(exs)), "µs/page")
}

// cpuTime is the process's user and system time so far: the machine the figures come from is
// shared, and CPU time says what the work costs where wall time says how busy the others were.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
