package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func fill(t *testing.T, s *Store, items ...Item) {
	t.Helper()
	if _, _, err := s.Commit(context.Background(), items); err != nil {
		t.Fatal(err)
	}
}

// backdate rewrites an id's first-seen time, as if it had been stored long ago.
func backdate(t *testing.T, s *Store, id string, when time.Time) {
	t.Helper()
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketIDs)
		e, err := decodeEntry(b.Get([]byte(id)))
		if err != nil {
			return err
		}
		e.FirstSeen = when.UTC()
		return b.Put([]byte(id), encodeEntry(nil, e))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestForEachVisitsEveryIDWithItsSourceAndFirstSeenTime(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	before := time.Now().UTC().Add(-time.Second)
	// Record lines as the pipeline writes them: the first URL is the record's "url".
	fill(t, s, Item{ID: "NW2", URL: "http://a/2", Source: "finews", Line: []byte(`{"id":"NW2","url":"http://a/2"}`)},
		Item{ID: "NW1", URL: "http://a/1", Source: "eastmoney", Line: []byte(`{"id":"NW1","url":"http://a/1"}`)})
	var got []string
	err := s.ForEach(ctx, func(id string, e Entry) error {
		got = append(got, id+"/"+e.Source+"/"+e.FirstURL)
		if e.FirstSeen.Before(before) || e.FirstSeen.After(time.Now().Add(time.Second)) {
			t.Errorf("%s first seen %v, not now", id, e.FirstSeen)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "NW1/eastmoney/http://a/1 NW2/finews/http://a/2" {
		t.Errorf("walk = %v", got)
	}
}

func TestDeleteForgetsTheIDItsRecordItsURLsAndItsOutboxEntry(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	fill(t, s, Item{ID: "NW1", URL: "http://a/1", Line: []byte(`{"id":"NW1"}`), Target: "/o/f", Offset: 0},
		Item{ID: "NW2", URL: "http://a/2", Line: []byte(`{"id":"NW2"}`), Target: "/o/f", Offset: 13})
	fill(t, s, Item{ID: "NW1", URL: "http://a/1-twin"}) // a duplicate's URL, remembered under NW1

	gone, err := s.Delete(ctx, "NW1", "NW404", "NW1")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(gone, ",") != "NW1" {
		t.Errorf("deleted %v, want [NW1] (unknown and repeated ids are passed over)", gone)
	}
	if seen, _ := s.Seen(ctx, "NW1", "NW2"); seen["NW1"] || !seen["NW2"] {
		t.Errorf("seen after delete = %v", seen)
	}
	if _, err := s.Record(ctx, "NW1"); err == nil {
		t.Error("the record of NW1 is still there")
	}
	for _, u := range []string{"http://a/1", "http://a/1-twin"} {
		if _, ok, _ := s.KnownURL(ctx, u); ok {
			t.Errorf("%s still maps to the forgotten id: a crawl would never fetch it again", u)
		}
	}
	if id, ok, _ := s.KnownURL(ctx, "http://a/2"); !ok || id != "NW2" {
		t.Errorf("the url of a kept id was dropped")
	}
	pend, _ := s.Outbox(ctx)
	if len(pend) != 1 || pend[0].ID != "NW2" {
		t.Errorf("outbox = %+v, want only NW2's entry (recovery would fail on a record that is gone)", pend)
	}
	// forgotten means new again
	_, isNew, err := s.Commit(ctx, []Item{{ID: "NW1", URL: "http://a/1", Line: []byte(`{"id":"NW1"}`)}})
	if err != nil || !isNew[0] {
		t.Errorf("NW1 after forget: new=%v err=%v", isNew, err)
	}
}

func TestDeleteBeforeForgetsOnlyIDsFirstSeenEarlier(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	fill(t, s, Item{ID: "NW1", URL: "http://a/1", Line: []byte("1")}, Item{ID: "NW2", URL: "http://a/2", Line: []byte("2")},
		Item{ID: "NW3", URL: "http://a/3", Line: []byte("3")})
	backdate(t, s, "NW1", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	backdate(t, s, "NW2", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC))
	gone, err := s.DeleteBefore(ctx, time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(gone, ",") != "NW1" {
		t.Errorf("deleted %v, want [NW1]", gone)
	}
	if n, _ := s.Count(ctx); n != 2 {
		t.Errorf("%d ids left, want 2", n)
	}
}

func TestRecordsReturnsLinesInTheOrderAsked(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	fill(t, s, Item{ID: "NW1", Line: []byte("one")}, Item{ID: "NW2", Line: []byte("two")})
	var got []string
	if err := s.Records(ctx, []string{"NW2", "NW1"}, func(id string, line []byte) error {
		got = append(got, id+"="+string(line))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "NW2=two NW1=one" {
		t.Errorf("records = %v", got)
	}
	if err := s.Records(ctx, []string{"NW9"}, func(string, []byte) error { return nil }); err == nil {
		t.Error("an id without a record gave no error")
	}
}

func TestLastRunAndSizeAreReadableFromAReadOnlyStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetLastRun(ctx, "2024-01-01T00:00:00Z newsmill: 3 pages fetched"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	ro, err := Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if got, _ := ro.LastRun(ctx); !strings.Contains(got, "3 pages fetched") {
		t.Errorf("last run = %q", got)
	}
	fi, _ := os.Stat(path)
	if n, err := ro.Size(); err != nil || n != fi.Size() || n == 0 {
		t.Errorf("size = %d, %v; file is %d bytes", n, err, fi.Size())
	}
	if _, err := ro.Delete(ctx, "NW1"); err == nil {
		t.Error("delete on a read-only store succeeded")
	}
}

func TestForgettingAnIDForgetsTheHTTPValidatorsThatWouldHideIt(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	if _, _, err := s.Commit(ctx, []Item{{ID: "NW202201210000000001", URL: "http://h/a/1.html", Line: []byte(`{"id":"NW202201210000000001","url":"http://h/a/1.html"}`)}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetValidators(ctx, "http://h/category/x.html", Validators{ETag: `"v1"`}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Delete(ctx, "NW202201210000000001"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Validators(ctx, "http://h/category/x.html"); ok {
		t.Error("the listing's ETag survived: its next fetch would be a 304 and the forgotten article would not come back")
	}
}
