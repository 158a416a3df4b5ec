package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := Open(context.Background(), path, Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func TestCommitEmitsAnIDOnceAcrossCallsAndWithinOne(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	items := []Item{
		{ID: "NW1", URL: "http://a/1", Line: []byte(`{"id":"NW1"}`)},
		{ID: "NW1", URL: "http://a/1-twin", Line: []byte(`{"id":"NW1"}`)},
		{ID: "NW2", URL: "http://a/2", Line: []byte(`{"id":"NW2"}`)},
	}
	pend, isNew, err := s.Commit(ctx, items)
	if err != nil {
		t.Fatal(err)
	}
	if !isNew[0] || isNew[1] || !isNew[2] || len(pend) != 2 {
		t.Fatalf("isNew = %v, pending = %d; want [true false true], 2", isNew, len(pend))
	}
	_, isNew, err = s.Commit(ctx, items[:1])
	if err != nil || isNew[0] {
		t.Fatalf("second commit of NW1: new=%v err=%v", isNew[0], err)
	}
	if id, ok, _ := s.KnownURL(ctx, "http://a/1-twin"); !ok || id != "NW1" {
		t.Errorf("a duplicate's URL should be remembered under its id, got %q %v", id, ok)
	}
	if n, _ := s.Count(ctx); n != 2 {
		t.Errorf("count = %d, want 2", n)
	}
}

func TestOutboxHoldsLinesUntilAcknowledged(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	pend, _, err := s.Commit(ctx, []Item{{ID: "NW1", Line: []byte("x"), Target: "/out/a", Offset: 7}, {ID: "NW2", Line: []byte("y"), Target: "/out/a", Offset: 9}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Outbox(ctx)
	if err != nil || len(got) != 2 || got[0].ID != "NW1" || got[0].Offset != 7 || got[1].ID != "NW2" {
		t.Fatalf("outbox = %+v, %v", got, err)
	}
	if err := s.Ack(ctx, pend[:1]); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Outbox(ctx)
	if len(got) != 1 || got[0].ID != "NW2" {
		t.Fatalf("after ack: %+v", got)
	}
	line, err := s.Record(ctx, "NW2")
	if err != nil || string(line) != "y" {
		t.Errorf("record NW2 = %q, %v", line, err)
	}
}

func TestSecondWriterWaitsThenFailsNamingTheHolder(t *testing.T) {
	_, path := openTemp(t)
	start := time.Now()
	_, err := Open(context.Background(), path, Options{LockTimeout: 300 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("err = %v, want ErrLocked", err)
	}
	if waited := time.Since(start); waited < 250*time.Millisecond {
		t.Errorf("gave up after %s, before the lock timeout", waited)
	}
	if !strings.Contains(err.Error(), "pid ") {
		t.Errorf("error does not name the holder: %v", err)
	}
}

func TestStoreSurvivesReopenWithItsIDs(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Commit(ctx, []Item{{ID: "NW9", Line: []byte("z")}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	seen, err := s.Seen(ctx, "NW9", "NW10")
	if err != nil || !seen["NW9"] || seen["NW10"] {
		t.Fatalf("seen = %v, %v", seen, err)
	}
	if _, _, err := s.Commit(ctx, []Item{{ID: "NW10"}}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("commit on a read-only store: %v, want ErrReadOnly", err)
	}
}

func TestCorruptFileIsRefusedAndLeftAlone(t *testing.T) {
	for name, content := range map[string][]byte{
		"garbage":   []byte(strings.Repeat("not a bbolt file ", 1000)),
		"truncated": nil, // filled below from a real store cut in half
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.db")
			if content == nil {
				s, err := Open(context.Background(), path, Options{})
				if err != nil {
					t.Fatal(err)
				}
				s.Commit(context.Background(), []Item{{ID: "NW1", Line: []byte("x")}})
				s.Close()
				b, _ := os.ReadFile(path)
				content = b[:len(b)/3]
			}
			os.WriteFile(path, content, 0o600)
			_, err := Open(context.Background(), path, Options{LockTimeout: time.Second})
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
			after, _ := os.ReadFile(path)
			if string(after) != string(content) {
				t.Error("a corrupt store file was modified")
			}
		})
	}
}

func TestValidatorsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	if err := s.SetValidators(ctx, "http://a/feed", Validators{ETag: `"x"`}); err != nil {
		t.Fatal(err)
	}
	v, ok, err := s.Validators(ctx, "http://a/feed")
	if err != nil || !ok || v.ETag != `"x"` {
		t.Fatalf("validators = %+v %v %v", v, ok, err)
	}
	s.SetValidators(ctx, "http://a/feed", Validators{})
	if _, ok, _ := s.Validators(ctx, "http://a/feed"); ok {
		t.Error("empty validators should delete the entry")
	}
}

// bbolt faults (SIGBUS, uncatchable) on a file shorter than its meta pages claim; every cut of a
// real store must be refused with ErrCorrupt or open cleanly, never crash the process.
func TestEveryTruncationOfAStoreIsRefusedNotACrash(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "s.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		id := "NW" + strings.Repeat("1", 10) + string(rune('a'+i%26)) + strings.Repeat("x", i)
		if _, _, err := s.Commit(ctx, []Item{{ID: id, Line: []byte(strings.Repeat("y", 500))}}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	full, _ := os.ReadFile(path)
	for cut := 1; cut < len(full); cut += 1024 {
		p := filepath.Join(dir, "cut.db")
		os.WriteFile(p, full[:cut], 0o600)
		s, err := Open(ctx, p, Options{LockTimeout: time.Second})
		if err == nil {
			s.Close()
			continue
		}
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("cut at %d: %v, want ErrCorrupt", cut, err)
		}
	}
}

// A damaged data page passes Open (its meta pages are fine) and makes bbolt panic on the first
// read that reaches it; every operation must answer ErrCorrupt instead of a stack trace.
func TestADamagedDataPageGivesErrCorruptNotAPanic(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "s.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := 0; i < 300; i++ {
		id := fmt.Sprintf("NW2022012100000%05d", i)
		ids = append(ids, id)
		if _, _, err := s.Commit(ctx, []Item{{ID: id, URL: "http://h/a/" + id + ".html", Line: []byte(strings.Repeat("r", 300))}}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	full, _ := os.ReadFile(path)
	pages := len(full) / 4096
	corrupted := 0
	for pg := 2; pg < pages; pg++ {
		b := append([]byte(nil), full...)
		for i := pg * 4096; i < (pg+1)*4096; i++ {
			b[i] = byte(i*7 + pg)
		}
		p := filepath.Join(dir, fmt.Sprintf("damaged-%d.db", pg)) // a store that panicked may keep its lock
		os.WriteFile(p, b, 0o600)
		s, err := Open(ctx, p, Options{LockTimeout: time.Second})
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("page %d: open: %v", pg, err)
			}
			corrupted++
			continue
		}
		errs := []error{}
		_, err = s.Seen(ctx, ids...)
		errs = append(errs, err)
		errs = append(errs, s.ForEach(ctx, func(string, Entry) error { return nil }))
		_, _, err = s.Commit(ctx, []Item{{ID: "NW202201219999999999", URL: "http://h/new", Line: []byte("x")}})
		errs = append(errs, err)
		for _, err := range errs {
			if err != nil {
				if !errors.Is(err, ErrCorrupt) {
					t.Errorf("page %d: %v, want nil or ErrCorrupt", pg, err)
				}
				corrupted++
			}
		}
		s.Close()
	}
	if corrupted == 0 {
		t.Fatal("no damaged page was noticed: the test damages nothing bbolt reads")
	}
}

// maybeRelease drops mapped pages from the resident set every releaseEvery operations; every
// read after it must still see exactly what was written.
func TestReleasingMappedPagesLosesNothing(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	var ids []string
	for b := 0; b < releaseEvery; b++ {
		var items []Item
		for i := 0; i < 8; i++ {
			id := fmt.Sprintf("NW2022012101%08d", b*8+i)
			ids = append(ids, id)
			items = append(items, Item{ID: id, URL: "http://h/a/" + id + ".html", Line: []byte(`{"id":"` + id + `"}`)})
		}
		if _, _, err := s.Commit(ctx, items); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.KnownURL(ctx, "http://h/a/"+ids[len(ids)-1]+".html"); err != nil || !ok {
			t.Fatalf("batch %d: url not known after commit: %v", b, err)
		}
	}
	if s.ops.Load() < 2*releaseEvery {
		t.Fatalf("only %d operations: the pages were never released", s.ops.Load())
	}
	seen, err := s.Seen(ctx, ids...)
	if err != nil || len(seen) != len(ids) {
		t.Fatalf("seen %d of %d after releases: %v", len(seen), len(ids), err)
	}
	for _, id := range ids[len(ids)-50:] {
		line, err := s.Record(ctx, id)
		if err != nil || string(line) != `{"id":"`+id+`"}` {
			t.Fatalf("record %s = %q, %v", id, line, err)
		}
	}
}

func TestAStoreKeepsItsSerialAcrossOpensAndOneMadeAnewAtItsPathHasAnother(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	first := s.Serial()
	if len(first) != 16 {
		t.Fatalf("serial %q, want 16 hex digits", first)
	}
	s.Close()
	for _, ro := range []bool{false, true} {
		s, err := Open(ctx, path, Options{ReadOnly: ro})
		if err != nil {
			t.Fatal(err)
		}
		if s.Serial() != first {
			t.Errorf("reopened (read-only %v): serial %q, want %q", ro, s.Serial(), first)
		}
		s.Close()
	}
	os.Remove(path)
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Serial() == first || s.Serial() == "" {
		t.Errorf("a store made anew at the path: serial %q, the old one was %q", s.Serial(), first)
	}
}
