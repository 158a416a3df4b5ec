package archive

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nlnwa/gowarc/v3"
)

var t0 = time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)

func page(i int) Exchange {
	return Exchange{
		URL:           fmt.Sprintf("https://news.example.com/a/%d.html?x=1", i),
		Date:          t0.Add(time.Duration(i) * time.Minute),
		RequestHeader: http.Header{"User-Agent": {"newsmill-test"}},
		Status:        200,
		Header:        http.Header{"Content-Type": {"text/html; charset=utf-8"}, "Content-Encoding": {"gzip"}, "Etag": {fmt.Sprintf(`"e%d"`, i)}},
		Body:          []byte(fmt.Sprintf("<html><head><title>Story %d</title></head><body><p>Body of story %d, 中文.</p></body></html>", i, i)),
	}
}

func readAll(t *testing.T, path string) ([]*Response, error) {
	t.Helper()
	r, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []*Response
	for {
		resp, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, resp)
	}
}

func onlyFile(t *testing.T, dir string) string {
	t.Helper()
	files, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 {
		t.Fatalf("files in %s: %v, want one", dir, files)
	}
	return files[0]
}

func TestWrittenExchangesReadBackAsTheSamePages(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var refs []Ref
	for i := range 5 {
		ref, err := w.Write(context.Background(), page(i))
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, ref)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, onlyFile(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("read %d responses, want 5", len(got))
	}
	for i, r := range got {
		want := page(i)
		if r.URL != want.URL || !r.Date.Equal(want.Date) || r.Status != 200 || !bytes.Equal(r.Body, want.Body) {
			t.Errorf("response %d = %s %s %d %q, want %s %s %q", i, r.URL, r.Date, r.Status, r.Body, want.URL, want.Date, want.Body)
		}
		if r.Header.Get("Content-Encoding") != "" || r.Header.Get("Etag") != want.Header.Get("Etag") {
			t.Errorf("response %d headers %v: the decoded body must not claim gzip, and the rest stays", i, r.Header)
		}
		if r.Offset != refs[i].Offset || r.RecordID != refs[i].RecordID || r.Digest != PayloadDigest(want.Body) {
			t.Errorf("response %d at %d id %s digest %s; writer said %d %s %s", i, r.Offset, r.RecordID, r.Digest, refs[i].Offset, refs[i].RecordID, refs[i].Digest)
		}
		at, err := ReadAt(filepath.Join(dir, refs[i].File), refs[i].Offset)
		if err != nil || !bytes.Equal(at.Body, want.Body) || at.URL != want.URL {
			t.Errorf("ReadAt(%s, %d) = %v, %v", refs[i].File, refs[i].Offset, at, err)
		}
	}
}

// gowarc reads a block through a 4 KiB buffer and keeps more than 1 MiB on disk: a payload
// past either must come back whole (a first reader returned 3.5 KB of every 5 KB page).
func TestLargePayloadsReadBackWhole(t *testing.T) {
	dir := t.TempDir()
	w, _ := Open(dir)
	var refs []Ref
	var bodies [][]byte
	for i, n := range []int{5000, 70 << 10, 3 << 20} {
		ex := page(i)
		ex.Body = bytes.Repeat([]byte(fmt.Sprintf("<p>paragraph %d.</p>", i)), n/16)
		bodies = append(bodies, ex.Body)
		r, err := w.Write(context.Background(), ex)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, r)
	}
	w.Close()
	got, err := readAll(t, onlyFile(t, dir))
	if err != nil || len(got) != 3 {
		t.Fatalf("%d responses, %v", len(got), err)
	}
	for i := range got {
		if !bytes.Equal(got[i].Body, bodies[i]) {
			t.Errorf("payload %d: %d bytes, want %d", i, len(got[i].Body), len(bodies[i]))
		}
		at, err := ReadAt(filepath.Join(dir, refs[i].File), refs[i].Offset)
		if err != nil || !bytes.Equal(at.Body, bodies[i]) {
			t.Errorf("ReadAt payload %d: %v", i, err)
		}
	}
}

func TestOurFilesAreValidForTheLibrarysStrictReader(t *testing.T) {
	dir := t.TempDir()
	w, _ := Open(dir)
	for i := range 3 {
		if _, err := w.Write(context.Background(), page(i)); err != nil {
			t.Fatal(err)
		}
	}
	not := page(1)
	not.Status, not.Body = http.StatusNotModified, nil
	if _, err := w.Write(context.Background(), not); err != nil {
		t.Fatal(err)
	}
	w.Close()
	rd, err := gowarc.NewWarcFileReader(onlyFile(t, dir), 0, gowarc.WithStrictValidation())
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	types := map[string]int{}
	for rec, err := range rd.Records() {
		if err != nil {
			t.Fatalf("strict reader: %v", err)
		}
		if len(rec.Validation) > 0 {
			t.Errorf("record %s: %v", rec.WarcRecord, rec.Validation)
		}
		types[rec.WarcRecord.Type().String()]++
		rec.Close()
	}
	if types["warcinfo"] != 1 || types["request"] != 4 || types["response"] != 3 || types["revisit"] != 1 {
		t.Errorf("record types %v, want 1 warcinfo, 4 requests, 3 responses, 1 revisit", types)
	}
}

func TestA304AndARepeatedBodyAreRevisitsNotCopies(t *testing.T) {
	dir := t.TempDir()
	w, _ := Open(dir)
	ctx := context.Background()
	first, err := w.Write(ctx, page(1))
	if err != nil {
		t.Fatal(err)
	}
	again, err := w.Write(ctx, page(1)) // same URL, same body: a listing fetched twice
	if err != nil {
		t.Fatal(err)
	}
	not := page(1)
	not.Status, not.Body, not.Prior = http.StatusNotModified, nil, &first
	notMod, err := w.Write(ctx, not)
	if err != nil {
		t.Fatal(err)
	}
	// A later run knows the stored article's ref only from the store.
	later := page(1)
	later.Prior = &first
	w.seen = map[string]Ref{}
	fromStore, err := w.Write(ctx, later)
	if err != nil {
		t.Fatal(err)
	}
	changed := page(1)
	changed.Body = append(changed.Body, "<p>Updated.</p>"...)
	changed.Prior = &first
	fresh, err := w.Write(ctx, changed)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	for name, r := range map[string]Ref{"same body": again, "304": notMod, "prior from the store": fromStore} {
		if !r.Revisit || r.Refers == nil || r.Refers.RecordID != first.RecordID || r.Digest != first.Digest {
			t.Errorf("%s: %+v, want a revisit of %s with its digest", name, r, first.RecordID)
		}
	}
	if first.Revisit || fresh.Revisit {
		t.Errorf("first %v or changed body %v written as a revisit", first.Revisit, fresh.Revisit)
	}
	got, err := readAll(t, onlyFile(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d responses with a payload, want the first and the changed one", len(got))
	}
	if !bytes.Equal(got[1].Body, changed.Body) {
		t.Errorf("second payload %q, want the changed body", got[1].Body)
	}
	if _, err := ReadAt(filepath.Join(dir, notMod.File), notMod.Offset); !errors.Is(err, ErrNoResponse) {
		t.Errorf("ReadAt a revisit: %v, want ErrNoResponse", err)
	}
}

func TestFilesRotateBySizeAndByDay(t *testing.T) {
	dir := t.TempDir()
	now := t0
	w, _ := Open(dir, WithMaxSize(1500), WithClock(func() time.Time { return now }))
	ctx := context.Background()
	for i := range 6 {
		if _, err := w.Write(ctx, page(i)); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Millisecond)
	}
	bySize, _ := Files(dir)
	if len(bySize) < 3 {
		t.Fatalf("%d files after 6 pages with a 1500-byte cap, want one per page or two", len(bySize))
	}
	now = now.Add(24 * time.Hour)
	w2, _ := Open(t.TempDir(), WithClock(func() time.Time { return now }))
	w2.Write(ctx, page(1))
	now = now.Add(24 * time.Hour)
	w2.Write(ctx, page(2))
	w2.Close()
	w.Close()
	days, _ := Files(w2.Dir())
	if len(days) != 2 {
		t.Errorf("files %v, want one per day", days)
	}
	total := 0
	for _, f := range bySize {
		got, err := readAll(t, f)
		if err != nil {
			t.Fatal(err)
		}
		total += len(got)
		info, _ := os.Stat(f)
		if info.Size() > 1500+1200 {
			t.Errorf("%s is %d bytes: a file passes the cap by one exchange at most", f, info.Size())
		}
	}
	if total != 6 {
		t.Errorf("%d responses over the rotated files, want 6", total)
	}
}

// A crash can stop a write anywhere: every cut of the file must read back the records before
// the cut, and Repair must leave exactly those.
func TestAFileCutMidRecordReadsUpToItsLastWholeRecord(t *testing.T) {
	dir := t.TempDir()
	w, _ := Open(dir)
	var refs []Ref
	for i := range 3 {
		r, err := w.Write(context.Background(), page(i))
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, r)
	}
	w.Close()
	path := onlyFile(t, dir)
	full, _ := os.ReadFile(path)
	// Cut inside the last response (whose member starts at refs[2].Offset) and inside the
	// request before it.
	for _, cut := range []int64{refs[2].Offset - 30, refs[2].Offset + 1, refs[2].Offset + 10, refs[2].Offset + 200, int64(len(full)) - 1} {
		torn := filepath.Join(t.TempDir(), filepath.Base(path))
		if err := os.WriteFile(torn, full[:cut], 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := readAll(t, torn)
		if !errors.Is(err, ErrTruncated) {
			t.Errorf("cut at %d: err %v, want ErrTruncated", cut, err)
		}
		if len(got) != 2 || !bytes.Equal(got[1].Body, page(1).Body) {
			t.Errorf("cut at %d: read %d responses, want the 2 whole ones", cut, len(got))
		}
		n, err := Repair(torn)
		if err != nil {
			t.Fatal(err)
		}
		info, _ := os.Stat(torn)
		if n == 0 || info.Size() > refs[2].Offset {
			t.Errorf("cut at %d: repair cut %d bytes to %d, want the file to end before %d", cut, n, info.Size(), refs[2].Offset)
		}
		got, err = readAll(t, torn)
		if err != nil || len(got) != 2 {
			t.Errorf("cut at %d: after repair %d responses, err %v", cut, len(got), err)
		}
	}
	if n, err := Repair(path); n != 0 || err != nil {
		t.Errorf("repair of a whole file cut %d bytes, err %v", n, err)
	}
}

func TestOpenRepairsTheFileACrashedWriterLeft(t *testing.T) {
	dir := t.TempDir()
	w, _ := Open(dir)
	w.Write(context.Background(), page(1))
	last, _ := w.Write(context.Background(), page(2))
	w.Close()
	path := onlyFile(t, dir)
	if err := os.Truncate(path, last.Offset+20); err != nil {
		t.Fatal(err)
	}
	w2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	w2.Write(context.Background(), page(3))
	w2.Close()
	files, _ := Files(dir)
	var bodies []string
	for _, f := range files {
		got, err := readAll(t, f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, r := range got {
			bodies = append(bodies, r.URL)
		}
	}
	if len(bodies) != 2 || bodies[0] != page(1).URL || bodies[1] != page(3).URL {
		t.Errorf("responses %v, want page 1 (whole) and page 3 (next run)", bodies)
	}
}

// writeOtherTool writes a file the way another crawler would, with gowarc's own file writer:
// one gzip member per record, the payload as the server sent it (gzip-encoded, or chunked),
// CC-NEWS style response records without request records, and a metadata record between.
func writeOtherTool(t *testing.T, dir string) []Exchange {
	t.Helper()
	fw := gowarc.NewWarcFileWriter(gowarc.WithFileNameGenerator(&gowarc.PatternNameGenerator{Directory: dir, Prefix: "CC-NEWS-"}),
		gowarc.WithCompression(true), gowarc.WithMaxConcurrentWriters(1))
	var want []Exchange
	for i := range 4 {
		ex := page(i)
		var payload bytes.Buffer
		hdr := "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
		switch i % 3 {
		case 0: // as sent, gzip-encoded
			zw := gzip.NewWriter(&payload)
			zw.Write(ex.Body)
			zw.Close()
			hdr += "Content-Encoding: gzip\r\n"
		case 1: // chunked, as wget keeps it
			half := len(ex.Body) / 2
			fmt.Fprintf(&payload, "%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n", half, ex.Body[:half], len(ex.Body)-half, ex.Body[half:])
			hdr += "Transfer-Encoding: chunked\r\n"
		default: // plain, with a Content-Length
			payload.Write(ex.Body)
			hdr += fmt.Sprintf("Content-Length: %d\r\n", len(ex.Body))
		}
		b := gowarc.NewRecordBuilder(gowarc.Response, gowarc.WithAddMissingDigest(true), gowarc.WithAddMissingRecordId(true), gowarc.WithFixContentLength(true), gowarc.WithAddMissingContentLength(true))
		b.WriteString(hdr + "\r\n")
		b.Write(payload.Bytes())
		b.AddWarcHeader(gowarc.WarcTargetURI, ex.URL)
		b.AddWarcHeaderTime(gowarc.WarcDate, ex.Date)
		b.AddWarcHeader(gowarc.ContentType, "application/http; msgtype=response")
		rec, _, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		m := gowarc.NewRecordBuilder(gowarc.Metadata, gowarc.WithAddMissingDigest(true), gowarc.WithAddMissingRecordId(true), gowarc.WithFixContentLength(true), gowarc.WithAddMissingContentLength(true))
		m.WriteString("fetchTimeMs: 12\r\n")
		m.AddWarcHeader(gowarc.WarcTargetURI, ex.URL)
		m.AddWarcHeaderTime(gowarc.WarcDate, ex.Date)
		m.AddWarcHeader(gowarc.ContentType, "application/warc-fields")
		meta, _, err := m.Build()
		if err != nil {
			t.Fatal(err)
		}
		for _, res := range fw.Write(rec, meta) {
			if res.Err != nil {
				t.Fatal(res.Err)
			}
		}
		want = append(want, ex)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return want
}

func TestAWARCWrittenByAnotherToolReadsBackToTheSamePages(t *testing.T) {
	dir := t.TempDir()
	want := writeOtherTool(t, dir)
	files, err := Files(dir)
	if err != nil || len(files) != 1 || !strings.HasSuffix(files[0], ".warc.gz") {
		t.Fatalf("files %v, %v", files, err)
	}
	got, err := readAll(t, files[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d responses, want %d (metadata records skipped)", len(got), len(want))
	}
	for i, r := range got {
		if r.URL != want[i].URL || !r.Date.Equal(want[i].Date) || !bytes.Equal(r.Body, want[i].Body) {
			t.Errorf("response %d = %s %s %q, want %s %s %q", i, r.URL, r.Date, r.Body, want[i].URL, want[i].Date, want[i].Body)
		}
		if r.Header.Get("Content-Encoding") != "" || r.Header.Get("Transfer-Encoding") != "" {
			t.Errorf("response %d still claims an encoding after decoding: %v", i, r.Header)
		}
	}
}

func TestAnUncompressedWARCReadsToo(t *testing.T) {
	var buf bytes.Buffer
	for i := range 2 {
		ex := page(i)
		block := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n%s", ex.Body)
		fmt.Fprintf(&buf, "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: %s\r\nWARC-Date: %s\r\nWARC-Record-ID: <urn:uuid:%08d-0000-4000-8000-000000000000>\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n%s\r\n\r\n",
			ex.URL, ex.Date.Format(time.RFC3339), i, len(block), block)
	}
	r, err := NewReader(&buf, "plain.warc")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		resp, err := r.Next()
		if err != nil || resp.URL != page(i).URL || !bytes.Equal(resp.Body, page(i).Body) {
			t.Fatalf("record %d: %+v, %v", i, resp, err)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after the last record: %v, want io.EOF", err)
	}
}

func TestAFileThatIsNotAWARCIsAnError(t *testing.T) {
	r, err := NewReader(strings.NewReader("<html>not an archive</html>"), "x.warc")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err == nil || err == io.EOF {
		t.Errorf("Next over html: %v, want an error", err)
	}
}

func TestACopiedRecordIsAWARCOfItsOwn(t *testing.T) {
	dir := t.TempDir()
	w, _ := Open(dir)
	w.Write(context.Background(), page(1))
	ref, _ := w.Write(context.Background(), page(2))
	w.Write(context.Background(), page(3))
	w.Close()
	var buf bytes.Buffer
	if _, err := CopyRecord(&buf, filepath.Join(dir, ref.File), ref.Offset); err != nil {
		t.Fatal(err)
	}
	r, _ := NewReader(&buf, "copy.warc.gz")
	got, err := r.Next()
	if err != nil || got.URL != page(2).URL || !bytes.Equal(got.Body, page(2).Body) {
		t.Fatalf("copied record: %+v, %v", got, err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after the one record: %v, want io.EOF", err)
	}
}

func TestASecondWriterIsRefusedAndTheNextRunOfTheDayAppendsToItsFile(t *testing.T) {
	dir := t.TempDir()
	now := t0
	clock := WithClock(func() time.Time { return now })
	w, err := Open(dir, clock)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, clock); !errors.Is(err, ErrLocked) {
		t.Fatalf("second writer: %v, want ErrLocked", err)
	}
	w.Write(context.Background(), page(1))
	w.Close()
	w, err = Open(dir, clock)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(context.Background(), page(2))
	w.Close()
	got, err := readAll(t, onlyFile(t, dir))
	if err != nil || len(got) != 2 {
		t.Fatalf("one file with both runs' pages: %d, %v", len(got), err)
	}
	now = now.Add(24 * time.Hour)
	w, _ = Open(dir, clock)
	w.Write(context.Background(), page(3))
	w.Close()
	if files, _ := Files(dir); len(files) != 2 {
		t.Errorf("the next day's run: files %v, want a new one", files)
	}
}

func TestAWriterRemembersAnEarlierProcesssRecordsUnlessTheirFileIsGone(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	w, _ := Open(dir)
	kept, err := w.Write(ctx, page(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(ctx, page(1)); err != nil { // a revisit: not Written
		t.Fatal(err)
	}
	written := w.Written()
	w.Close()
	if len(written) != 1 || written[0].RecordID != kept.RecordID {
		t.Fatalf("Written %+v, want the one record with a payload", written)
	}
	// The next process: a ref into a file retention deleted is given back, not used.
	deleted := page(2)
	deletedRef := Ref{File: "newsmill-20200101000000000000-abcdef.warc.gz", RecordID: newID(), URL: deleted.URL, Digest: PayloadDigest(deleted.Body), Date: time.Now()}
	w2, _ := Open(dir)
	defer w2.Close()
	gone := w2.Remember(written[0], deletedRef)
	if len(gone) != 1 || gone[0] != deleted.URL {
		t.Errorf("Remember gave back %v, want only the URL whose file is gone", gone)
	}
	same, err := w2.Write(ctx, page(1))
	if err != nil {
		t.Fatal(err)
	}
	if !same.Revisit || same.Refers == nil || same.Refers.RecordID != kept.RecordID {
		t.Errorf("an unchanged body in a later process: %+v, want a revisit of %s", same, kept.RecordID)
	}
	not := page(1)
	not.Status, not.Body = http.StatusNotModified, nil
	nm, err := w2.Write(ctx, not)
	if err != nil {
		t.Fatal(err)
	}
	if nm.Refers == nil || nm.Refers.RecordID != kept.RecordID {
		t.Errorf("a 304 in a later process refers to %+v, want %s", nm.Refers, kept.RecordID)
	}
	again, err := w2.Write(ctx, deleted)
	if err != nil {
		t.Fatal(err)
	}
	if again.Revisit {
		t.Errorf("a body whose only copy was deleted was written as a revisit")
	}
	if len(w2.Written()) != 1 {
		t.Errorf("Written after a revisit, a 304 and one whole record: %d refs, want 1", len(w2.Written()))
	}
}
