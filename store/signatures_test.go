package store

import (
	bolt "go.etcd.io/bbolt"

	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func readSignatures(t *testing.T, s *Store) []Signature {
	t.Helper()
	var out []Signature
	if err := s.Signatures(context.Background(), func(sg Signature) error { out = append(out, sg); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestASignatureIsKeptWithItsRecordAndOnlyForANewOne(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	at := time.Date(2021, 12, 8, 15, 0, 0, 0, time.UTC)
	sig := func(v string, d time.Duration) *Signature { return &Signature{At: at.Add(d), Value: []byte(v)} }
	if _, _, err := s.Commit(ctx, []Item{
		{ID: "NW2", URL: "http://a/2", Line: []byte(`{}`), Signature: sig("two", time.Hour)},
		{ID: "NW1", URL: "http://a/1", Line: []byte(`{}`), Signature: sig("one", 0)},
		{ID: "NW3", URL: "http://a/3", Line: []byte(`{}`)},
	}); err != nil {
		t.Fatal(err)
	}
	// NW1 again, as a later run's duplicate: its entry is the first one's.
	if _, _, err := s.Commit(ctx, []Item{{ID: "NW1", URL: "http://b/1", Line: []byte(`{}`), Signature: sig("other", 2*time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err := Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := readSignatures(t, s)
	want := []Signature{{ID: "NW1", At: at.Local(), Value: []byte("one")}, {ID: "NW2", At: at.Add(time.Hour).Local(), Value: []byte("two")}}
	if len(got) != 2 || got[0].ID != "NW1" || !got[0].At.Equal(at) || string(got[0].Value) != "one" || got[1].ID != "NW2" || string(got[1].Value) != "two" {
		t.Errorf("signatures after reopening = %+v; want %+v (time order, the first entry of an id)", got, want)
	}
}

func TestPruneSignaturesKeepsTheWindowAndTheBound(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	at := time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC) // before 1970 too: keys order by time
	var items []Item
	for i := range 10 {
		items = append(items, Item{ID: fmt.Sprint("NW", i), URL: fmt.Sprint("http://a/", i), Line: []byte(`{}`),
			Signature: &Signature{At: at.Add(time.Duration(i) * time.Hour), Value: []byte{byte(i)}}})
	}
	if _, _, err := s.Commit(ctx, items); err != nil {
		t.Fatal(err)
	}
	n, err := s.PruneSignatures(ctx, at.Add(3*time.Hour), 100)
	if err != nil || n != 3 {
		t.Fatalf("pruned %d (%v) before hour 3; want 3", n, err)
	}
	if n, err = s.PruneSignatures(ctx, at, 4); err != nil || n != 3 {
		t.Fatalf("pruned %d (%v) to a bound of 4 from 7; want 3", n, err)
	}
	var ids []string
	for _, sg := range readSignatures(t, s) {
		ids = append(ids, sg.ID)
	}
	if want := []string{"NW6", "NW7", "NW8", "NW9"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("kept %v; want the newest %v", ids, want)
	}
	if c, _ := s.SignatureCount(ctx); c != 4 {
		t.Errorf("SignatureCount = %d; want 4", c)
	}
}

func TestAStoreWithoutTheSignatureBucketReadsAsEmpty(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// As a binary before the index left it: no signatures bucket.
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketSignatures) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	ro, err := Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := readSignatures(t, ro); len(got) != 0 {
		t.Errorf("read %d signatures from a store without the bucket", len(got))
	}
	if n, err := ro.SignatureCount(ctx); n != 0 || err != nil {
		t.Errorf("count %d, %v", n, err)
	}
	ro.Close()
	rw, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	if _, _, err := rw.Commit(ctx, []Item{{ID: "NW1", URL: "http://a/1", Line: []byte(`{}`), Signature: &Signature{At: time.Now(), Value: []byte("x")}}}); err != nil {
		t.Fatalf("a store opened for writing gains the bucket: %v", err)
	}
}

func TestForgettingAnIdDropsItsNearDuplicateIndexEntry(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	defer s.Close()
	at := time.Date(2021, 12, 8, 15, 0, 0, 0, time.UTC)
	if _, _, err := s.Commit(ctx, []Item{
		{ID: "NW1", URL: "http://a/1", Line: []byte(`{}`), Signature: &Signature{At: at, Value: []byte("one")}},
		{ID: "NW10", URL: "http://a/10", Line: []byte(`{}`), Signature: &Signature{At: at, Value: []byte("ten")}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Delete(ctx, "NW1"); err != nil {
		t.Fatal(err)
	}
	// NW10's key starts with NW1's time and id: only the forgotten id's entry may go.
	if got := readSignatures(t, s); len(got) != 1 || got[0].ID != "NW10" {
		t.Errorf("signatures after forgetting NW1 = %+v, want only NW10's", got)
	}
	// Crawled again, the record gets an entry of its own, not the old one.
	if _, _, err := s.Commit(ctx, []Item{{ID: "NW1", URL: "http://a/1", Line: []byte(`{}`), Signature: &Signature{At: at.Add(time.Hour), Value: []byte("new")}}}); err != nil {
		t.Fatal(err)
	}
	got := readSignatures(t, s)
	if len(got) != 2 || got[0].ID != "NW10" || got[1].ID != "NW1" || string(got[1].Value) != "new" {
		t.Errorf("signatures after the id is crawled again = %+v, want NW10's and NW1's new one", got)
	}
}
