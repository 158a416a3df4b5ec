package store

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestOneCommitIsOneOutboxEntryListingItsLinesInOrder(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	items := []Item{
		{ID: "NW3", Line: []byte("c"), Target: "/out/a", Offset: 0},
		{ID: "NW1", Line: []byte("a"), Target: "/out/a", Offset: 2},
		{ID: "NW2", Line: []byte("b"), Target: "", Offset: 0},
	}
	pend, _, err := s.Commit(ctx, items)
	if err != nil {
		t.Fatal(err)
	}
	var entries int
	s.view(func(tx *bolt.Tx) error { entries = tx.Bucket(bucketOutbox).Stats().KeyN; return nil })
	if entries != 1 {
		t.Errorf("outbox holds %d entries for one commit, want 1", entries)
	}
	got, err := s.Outbox(ctx)
	if err != nil || len(got) != 3 {
		t.Fatalf("outbox = %+v, %v", got, err)
	}
	for i, p := range got {
		if p != pend[i] || p.ID != items[i].ID || p.Target != items[i].Target || p.Offset != items[i].Offset {
			t.Errorf("line %d = %+v, want %+v as committed", i, p, pend[i])
		}
	}
}

func TestCommitAfterAcknowledgesTheLastBatchInTheSameTransaction(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	first, _, err := s.Commit(ctx, []Item{{ID: "NW1", Line: []byte("a"), Target: "/out/a"}})
	if err != nil {
		t.Fatal(err)
	}
	second, isNew, err := s.CommitAfter(ctx, first, []Item{{ID: "NW2", Line: []byte("b"), Target: "/out/a", Offset: 2}, {ID: "NW1"}})
	if err != nil || !isNew[0] || isNew[1] {
		t.Fatalf("new = %v, %v", isNew, err)
	}
	got, _ := s.Outbox(ctx)
	if len(got) != 1 || got[0].ID != "NW2" || got[0].Seq != second[0].Seq {
		t.Fatalf("outbox = %+v, want only the second batch's line", got)
	}
	// A batch of duplicates only acknowledges.
	if _, _, err := s.CommitAfter(ctx, second, []Item{{ID: "NW2"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Outbox(ctx); len(got) != 0 {
		t.Errorf("outbox = %+v, want empty", got)
	}
}

func TestAcknowledgingTwiceIsNoError(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	pend, _, _ := s.Commit(ctx, []Item{{ID: "NW1", Line: []byte("a")}})
	if err := s.Ack(ctx, pend); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CommitAfter(ctx, pend, nil); err != nil {
		t.Errorf("second acknowledgement: %v", err)
	}
}

func TestPerLineOutboxEntriesOfAnOlderBinaryAreStillReadAndAcknowledged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v2.db")
	// What a format-2 binary killed between its commit and its acknowledgement leaves.
	writeRawStore(t, path, func(tx *bolt.Tx) error {
		for i, id := range []string{"NW1", "NW2"} {
			tx.Bucket(bucketRecords).Put([]byte(id), []byte(`{"id":"`+id+`"}`))
			v, _ := json.Marshal(Pending{ID: id, Target: "/out/a", Offset: int64(13 * i)})
			tx.Bucket(bucketOutbox).Put(u64(uint64(i+1)), v)
		}
		return tx.Bucket(bucketMeta).Put(keyFormat, []byte("2"))
	})
	ctx := context.Background()
	s, err := Open(ctx, path, Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Outbox(ctx)
	if err != nil || len(got) != 2 || got[0].ID != "NW1" || got[1].ID != "NW2" || got[1].Offset != 13 || got[1].Target != "/out/a" {
		t.Fatalf("outbox = %+v, %v", got, err)
	}
	if err := s.Ack(ctx, got); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Outbox(ctx); len(got) != 0 {
		t.Errorf("outbox after ack = %+v", got)
	}
}

func TestAStoreOfANewerFormatIsRefusedWithErrSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	writeRawStore(t, path, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyFormat, []byte(strconv.Itoa(formatVersion+1)))
	})
	for _, ro := range []bool{false, true} {
		s, err := Open(context.Background(), path, Options{LockTimeout: time.Second, ReadOnly: ro})
		if !errors.Is(err, ErrSchema) {
			t.Errorf("read-only %v: %v, want ErrSchema", ro, err)
		}
		if s != nil {
			s.Close()
		}
	}
}

func FuzzDecodeOutboxNeverPanics(f *testing.F) {
	f.Add(encodeOutbox([]Pending{{ID: "NW1", Target: "/out/a", Offset: 7}, {ID: "NW2"}}))
	f.Add([]byte{outboxV3, 0xff, 0xff, 0xff, 0xff, 0x0f}) // a huge count: must not allocate for it
	f.Add([]byte{outboxV3, 1, 5, 'a'})                    // a target cut short
	f.Add([]byte(`{"id":"NW1","f":"/out/a","o":7}`))      // format 2's per-line entry
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := decodeOutbox(1, b)
		if err != nil || len(b) == 0 || b[0] != outboxV3 {
			return
		}
		again, err := decodeOutbox(1, encodeOutbox(ps))
		if err != nil || len(again) != len(ps) {
			t.Errorf("re-encoding a decoded entry: %d lines, %v; want %d", len(again), err, len(ps))
		}
	})
}
