package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), Options{LockTimeout: time.Second, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func line(id string, rev int) []byte {
	return fmt.Appendf(nil, `{"id":%q,"url":"http://a/%s","revision":%d}`, id, id, rev)
}

func TestARevisionReplacesTheLatestRecordAndKeepsTheOnesBefore(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	ref := &ArchiveRef{File: "newsmill-1.warc.gz", Offset: 770, Date: time.Unix(1700000000, 0).UTC(), Digest: "sha1:AAA"}
	if _, isNew, err := s.Commit(ctx, []Item{{ID: "NW1", URL: "http://a/NW1", Hash: "h1", Line: line("NW1", 1), Archive: ref}}); err != nil || !isNew[0] {
		t.Fatalf("first commit: %v %v", isNew, err)
	}
	// A revision 3 of a record at revision 1 skips one: refused, as a refetch by a run that
	// did not see revision 2 would be.
	ref2 := &ArchiveRef{File: "newsmill-2.warc.gz", Offset: 10, Date: time.Unix(1700003600, 0).UTC(), Digest: "sha1:BBB"}
	pend, isNew, err := s.Commit(ctx, []Item{{ID: "NW1", Hash: "h3", Line: line("NW1", 3), Revision: 3}})
	if err != nil || isNew[0] || len(pend) != 0 {
		t.Fatalf("revision 3 over 1: new %v pending %v, %v; want a duplicate", isNew, pend, err)
	}
	pend, isNew, err = s.Commit(ctx, []Item{{ID: "NW1", Hash: "h2", Line: line("NW1", 2), Revision: 2, Archive: ref2}})
	if err != nil || !isNew[0] || len(pend) != 1 || pend[0].Revision != 2 {
		t.Fatalf("revision 2: new %v pending %+v, %v", isNew, pend, err)
	}
	// The same revision from a second process: a duplicate, not a second line.
	if _, isNew, _ := s.Commit(ctx, []Item{{ID: "NW1", Hash: "h2b", Line: line("NW1", 2), Revision: 2}}); isNew[0] {
		t.Error("a second revision 2 was committed")
	}
	latest, _ := s.Record(ctx, "NW1")
	if string(latest) != string(line("NW1", 2)) {
		t.Errorf("latest record %s, want revision 2", latest)
	}
	var revs []string
	s.Revisions(ctx, "NW1", func(rev int, l []byte) error {
		revs = append(revs, strconv.Itoa(rev)+" "+string(l))
		return nil
	})
	if len(revs) != 2 || revs[0] != "1 "+string(line("NW1", 1)) || revs[1] != "2 "+string(line("NW1", 2)) {
		t.Errorf("revisions %q", revs)
	}
	if l, _ := s.RecordRevision(ctx, "NW1", 1); string(l) != string(line("NW1", 1)) {
		t.Errorf("revision 1 = %s", l)
	}
	got, _ := s.Latest(ctx, "NW1", "NW2")
	if len(got) != 1 || got["NW1"].Entry.Revision != 2 || got["NW1"].Entry.ContentHash != "h2" {
		t.Errorf("Latest = %+v", got)
	}
	if a, ok, _ := s.Archived(ctx, "NW1"); !ok || a != *ref2 {
		t.Errorf("archive ref %+v %v, want the revision's %+v", a, ok, *ref2)
	}
	// The outbox names the revision, so recovery rewrites revision 2's line, not the latest.
	out, _ := s.Outbox(ctx)
	if len(out) != 2 || out[1].Revision != 2 || out[0].Revision != 1 {
		t.Errorf("outbox %+v", out)
	}
	if err := s.Ack(ctx, out[1:]); err != nil {
		t.Fatal(err)
	}
	if out, _ := s.Outbox(ctx); len(out) != 1 || out[0].Revision != 1 {
		t.Errorf("after acknowledging revision 2 only: %+v", out)
	}
}

func TestForgettingAnIdForgetsItsHistory(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	now := time.Now().UTC().Truncate(time.Second)
	s.Commit(ctx, []Item{{ID: "NW1", Hash: "h1", Line: line("NW1", 1), Archive: &ArchiveRef{File: "f", Offset: 1},
		Recheck: &Recheck{URL: "http://a/NW1", Since: now, Next: now}}})
	s.Commit(ctx, []Item{{ID: "NW1", Hash: "h2", Line: line("NW1", 2), Revision: 2}})
	s.Commit(ctx, []Item{{ID: "NW10", Hash: "x", Line: line("NW10", 1), Archive: &ArchiveRef{File: "f", Offset: 2}}})
	if due, _ := s.DueRechecks(ctx, "", now, 0); len(due) != 1 {
		t.Fatalf("due %v", due)
	}
	if _, err := s.Delete(ctx, "NW1"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Archived(ctx, "NW1"); ok {
		t.Error("archive ref kept")
	}
	if due, _ := s.DueRechecks(ctx, "", now, 0); len(due) != 0 {
		t.Errorf("recheck kept: %v", due)
	}
	n := 0
	s.view(func(tx *bolt.Tx) error { n = tx.Bucket(bucketRevisions).Stats().KeyN; return nil })
	if n != 0 {
		t.Errorf("%d old revisions kept", n)
	}
	if _, ok, _ := s.Archived(ctx, "NW10"); !ok {
		t.Error("NW10, whose id starts like NW1's, lost its archive ref")
	}
	// A recheck of an id forgotten while it was fetched is not brought back.
	s.SetRecheck(ctx, "NW1", &Recheck{URL: "http://a/NW1", Next: now})
	if due, _ := s.DueRechecks(ctx, "", now.Add(time.Hour), 0); len(due) != 0 {
		t.Errorf("recheck of a forgotten id: %v", due)
	}
}

func TestRechecksAreDueByTheirTime(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	now := time.Now().UTC().Truncate(time.Second)
	for i, next := range []time.Duration{-time.Minute, 0, time.Hour} {
		id := fmt.Sprintf("NW%d", i)
		s.Commit(ctx, []Item{{ID: id, Hash: "h", Line: line(id, 1), Recheck: &Recheck{URL: "http://a/" + id, Since: now, Next: now.Add(next)}}})
	}
	due, err := s.DueRechecks(ctx, "", now, 0)
	if err != nil || len(due) != 2 || due["NW2"].URL != "" {
		t.Errorf("due at now: %v, %v; want NW0 and NW1", due, err)
	}
	r := due["NW0"]
	r.Step, r.Next = 1, now.Add(2*time.Hour)
	s.SetRecheck(ctx, "NW0", &r)
	s.SetRecheck(ctx, "NW1", nil)
	due, _ = s.DueRechecks(ctx, "", now.Add(90*time.Minute), 0)
	if len(due) != 1 || due["NW2"].URL == "" {
		t.Errorf("due later: %v; want NW2 only", due)
	}
}

func TestAFormat4StoreGainsHistoryAndIsMarked5(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v4.db")
	writeRawStore(t, path, func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketRevisions, bucketArchive, bucketRecheck} {
			tx.DeleteBucket(b) // format 4 had none of them
		}
		e := encodeEntry(nil, Entry{FirstSeen: time.Unix(1700000000, 0).UTC(), ContentHash: "sha256:00"})
		e[0] = entryV2
		e = e[:len(e)-1] // a format-4 entry has no revision
		tx.Bucket(bucketIDs).Put([]byte("NW1"), e)
		tx.Bucket(bucketRecords).Put([]byte("NW1"), line("NW1", 0))
		ob := encodeOutbox([]Pending{{ID: "NW1", Target: "/o/a.jsonl", Offset: 0}})
		ob[0] = outboxV3
		ob = ob[:len(ob)-1]
		tx.Bucket(bucketOutbox).Put(u64(1), ob)
		return tx.Bucket(bucketMeta).Put(keyFormat, []byte("4"))
	})
	ctx := context.Background()
	ro, err := Open(ctx, path, Options{LockTimeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := ro.Archived(ctx, "NW1"); ok || err != nil {
		t.Errorf("archive ref in a format-4 store: %v %v", ok, err)
	}
	n := 0
	ro.Revisions(ctx, "NW1", func(int, []byte) error { n++; return nil })
	if n != 1 {
		t.Errorf("%d revisions read from a format-4 store, want its one record", n)
	}
	ro.Close()
	s, err := Open(ctx, path, Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out, err := s.Outbox(ctx)
	if err != nil || len(out) != 1 || out[0].Revision != 1 {
		t.Errorf("format-4 outbox entry read as %+v, %v", out, err)
	}
	if _, isNew, err := s.Commit(ctx, []Item{{ID: "NW1", Hash: "h2", Line: line("NW1", 2), Revision: 2}}); err != nil || !isNew[0] {
		t.Errorf("revising a format-4 record: %v %v", isNew, err)
	}
	var marker string
	s.view(func(tx *bolt.Tx) error { marker = string(tx.Bucket(bucketMeta).Get(keyFormat)); return nil })
	if marker != "5" {
		t.Errorf("format marker %q, want 5", marker)
	}
}

func TestPayloadDigestsOutliveTheProcessAndGoWithAForgottenId(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	at := time.Unix(1700000000, 0).UTC()
	listing := ArchiveRef{File: "f", Offset: 1, RecordID: "<urn:uuid:1>", URL: "http://a/", Date: at, Digest: "sha1:L"}
	page := ArchiveRef{File: "f", Offset: 2, RecordID: "<urn:uuid:2>", URL: "http://a/NW1", Date: at, Digest: "sha1:P"}
	gone := ArchiveRef{File: "old", Offset: 3, RecordID: "<urn:uuid:3>", URL: "http://a/gone", Date: at, Digest: "sha1:G"}
	if err := s.PutPayloads(ctx, []ArchiveRef{listing, page, gone}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.PutPayloads(ctx, nil, []string{gone.URL}); err != nil {
		t.Fatal(err)
	}
	s.Commit(ctx, []Item{{ID: "NW1", URL: page.URL, Hash: "h1", Line: line("NW1", 1), Archive: &page}})
	s.Close()
	s, err := Open(ctx, path, Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	read := func() map[string]ArchiveRef {
		out := map[string]ArchiveRef{}
		s.Payloads(ctx, func(r ArchiveRef) error { out[r.URL] = r; return nil })
		return out
	}
	got := read()
	if len(got) != 2 || got[listing.URL] != listing || got[page.URL] != page {
		t.Errorf("payloads after reopening %+v, want the listing's and the page's", got)
	}
	if _, err := s.Delete(ctx, "NW1"); err != nil {
		t.Fatal(err)
	}
	if got := read(); len(got) != 1 || got[listing.URL] != listing {
		t.Errorf("payloads after forgetting NW1 %+v, want only the listing's", got)
	}
}
