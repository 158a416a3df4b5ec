package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsmill/newsmill/output"
	"github.com/newsmill/newsmill/store"
)

func openStore(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// crashAfterCommit leaves the store as a run killed between the store commit and the write
// would: ids stored, outbox entries naming out at its current size.
func crashAfterCommit(t *testing.T, st *store.Store, out string, ids ...string) []string {
	t.Helper()
	fi, _ := os.Stat(out)
	var off int64
	if fi != nil {
		off = fi.Size()
	}
	var items []store.Item
	var lines []string
	for _, id := range ids {
		line := `{"id":"` + id + `","body":"b"}`
		items = append(items, store.Item{ID: id, Line: []byte(line), Target: out, Offset: off})
		off += int64(len(line) + 1)
		lines = append(lines, line)
	}
	if _, _, err := st.Commit(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	return lines
}

func read(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

func TestRecoverWritesLinesThatNeverReachedTheFile(t *testing.T) {
	st := openStore(t)
	out := filepath.Join(t.TempDir(), "o.jsonl")
	os.WriteFile(out, []byte(`{"id":"OLD"}`+"\n"), 0o644)
	lines := crashAfterCommit(t, st, out, "NW1", "NW2")
	n, err := Recover(context.Background(), st, output.NewStream(nil), nil)
	if err != nil || n != 2 {
		t.Fatalf("recovered %d, %v", n, err)
	}
	want := `{"id":"OLD"}` + "\n" + lines[0] + "\n" + lines[1] + "\n"
	if got := read(t, out); got != want {
		t.Fatalf("file:\n%s\nwant:\n%s", got, want)
	}
	if pend, _ := st.Outbox(context.Background()); len(pend) != 0 {
		t.Errorf("outbox not emptied: %v", pend)
	}
}

func TestRecoverDoesNotRepeatLinesThatDidReachTheFile(t *testing.T) {
	st := openStore(t)
	out := filepath.Join(t.TempDir(), "o.jsonl")
	lines := crashAfterCommit(t, st, out, "NW1", "NW2")
	full := lines[0] + "\n" + lines[1] + "\n"
	os.WriteFile(out, []byte(full), 0o644) // the write happened, the ack did not
	if n, err := Recover(context.Background(), st, output.NewStream(nil), nil); err != nil || n != 0 {
		t.Fatalf("recovered %d, %v; want 0", n, err)
	}
	if got := read(t, out); got != full {
		t.Fatalf("file changed:\n%s", got)
	}
}

func TestRecoverCutsATornLineAndWritesItWhole(t *testing.T) {
	st := openStore(t)
	out := filepath.Join(t.TempDir(), "o.jsonl")
	lines := crashAfterCommit(t, st, out, "NW1", "NW2")
	torn := lines[0] + "\n" + lines[1][:10] // killed half way through the second line
	os.WriteFile(out, []byte(torn), 0o644)
	n, err := Recover(context.Background(), st, output.NewStream(nil), nil)
	if err != nil || n != 1 {
		t.Fatalf("recovered %d, %v; want 1", n, err)
	}
	if got, want := read(t, out), lines[0]+"\n"+lines[1]+"\n"; got != want {
		t.Fatalf("file:\n%q\nwant:\n%q", got, want)
	}
}

func TestRecoverResendsStreamLinesAtLeastOnce(t *testing.T) {
	st := openStore(t)
	if _, _, err := st.Commit(context.Background(), []store.Item{{ID: "NW5", Line: []byte(`{"id":"NW5"}`)}}); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if n, err := Recover(context.Background(), st, output.NewStream(&b), nil); err != nil || n != 1 {
		t.Fatalf("recovered %d, %v", n, err)
	}
	if b.String() != `{"id":"NW5"}`+"\n" {
		t.Errorf("stream got %q", b.String())
	}
}

func TestAStreamLineLeftInTheOutboxGoesToTheFileOfARunThatWritesFiles(t *testing.T) {
	st := openStore(t)
	if _, _, err := st.Commit(context.Background(), []store.Item{{ID: "NW5", Line: []byte(`{"id":"NW5"}`)}}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "o.jsonl")
	f, err := output.File(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if n, err := Recover(context.Background(), st, f, nil); err != nil || n != 1 {
		t.Fatalf("recovered %d, %v: a stdout run's leftover must not wedge every later run writing a file", n, err)
	}
	if b, _ := os.ReadFile(path); string(b) != `{"id":"NW5"}`+"\n" {
		t.Errorf("file got %q", b)
	}
}

func TestDailyFilesAreNamedByUTCDate(t *testing.T) {
	d, err := output.Dir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// 2022-01-21 07:30 in Shanghai is still the 20th in UTC
	at := time.Date(2022, 1, 21, 7, 30, 0, 0, time.FixedZone("CST", 8*3600))
	if got := filepath.Base(d.PathFor(at)); got != "newsmill-2022-01-20.jsonl" {
		t.Errorf("file = %s", got)
	}
}
