package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestAFailedURLIsCountedPerRunUntilTheLimitDropsIt(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	t0 := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	for run := 1; run <= 2; run++ {
		dropped, err := s.RetryFailed(ctx, "finews", []Failure{{URL: "http://a/dead", Reason: "http 404"}}, 3, t0.Add(time.Duration(run)*time.Hour))
		if err != nil || len(dropped) != 0 {
			t.Fatalf("run %d: dropped %v, %v; want none below the limit", run, dropped, err)
		}
	}
	// Reopened: the list lives in the file, not in the process.
	s.Close()
	s, err := Open(ctx, path, Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Retries(ctx, "finews")
	if err != nil || len(got) != 1 {
		t.Fatalf("retries = %+v, %v; want the one URL", got, err)
	}
	r := got[0]
	if r.URL != "http://a/dead" || r.Attempts != 2 || r.Reason != "http 404" || !r.First.Equal(t0.Add(time.Hour)) || !r.Last.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("retry = %+v; want 2 attempts, first at run 1, last at run 2", r)
	}
	dropped, err := s.RetryFailed(ctx, "finews", []Failure{{URL: "http://a/dead", Reason: "empty body"}}, 3, t0.Add(3*time.Hour))
	if err != nil || len(dropped) != 1 || dropped[0].Attempts != 3 || dropped[0].Reason != "empty body" {
		t.Fatalf("third failure with a limit of 3: dropped %+v, %v; want the URL with 3 attempts", dropped, err)
	}
	if got, _ := s.Retries(ctx, "finews"); len(got) != 0 {
		t.Errorf("a dropped URL is still listed: %+v", got)
	}
}

func TestRetriesAreKeptPerSourceAndDoneDropsOnlyTheSourcesOwn(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	now := time.Now()
	if _, err := s.RetryFailed(ctx, "a", []Failure{{URL: "http://a/1", Reason: "http 500"}, {URL: "http://a/2", Reason: "no record"}}, 5, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RetryFailed(ctx, "b", []Failure{{URL: "http://b/1", Reason: "http 403"}}, 5, now); err != nil {
		t.Fatal(err)
	}
	if err := s.RetryDone(ctx, "b", "http://a/1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Retries(ctx, "a"); len(got) != 2 || got[0].URL != "http://a/1" || got[1].URL != "http://a/2" {
		t.Errorf("source a's retries = %+v; another source's done must not drop them", got)
	}
	if err := s.RetryDone(ctx, "a", "http://a/1", "http://unknown/"); err != nil {
		t.Fatal(err)
	}
	counts, err := s.RetryCounts(ctx)
	if err != nil || counts["a"] != 1 || counts["b"] != 1 {
		t.Errorf("counts = %v, %v; want a:1 b:1", counts, err)
	}
	if n, err := s.ForgetRetries(ctx, "a"); err != nil || n != 1 {
		t.Errorf("forget a's retries: %d, %v; want 1", n, err)
	}
	if counts, _ := s.RetryCounts(ctx); counts["a"] != 0 || counts["b"] != 1 {
		t.Errorf("counts after forgetting a = %v; want b's kept", counts)
	}
}

func TestARetryWithoutURLOrSourceIsRefused(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	if _, err := s.RetryFailed(ctx, "", []Failure{{URL: "http://a/1"}}, 5, time.Now()); !errors.Is(err, ErrBadRetry) {
		t.Errorf("no source: %v, want ErrBadRetry", err)
	}
	if _, err := s.RetryFailed(ctx, "a", []Failure{{URL: "http://a/1"}, {Reason: "x"}}, 5, time.Now()); !errors.Is(err, ErrBadRetry) {
		t.Errorf("no URL: %v, want ErrBadRetry", err)
	}
	if counts, _ := s.RetryCounts(ctx); len(counts) != 0 {
		t.Errorf("a refused call wrote %v", counts)
	}
}

func TestAFormatThreeStoreOpensGainsTheRetryListAndIsMarkedCurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v3.db")
	// A store as format 3 wrote it: no retry bucket.
	writeRawStore(t, path, func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketRetry); err != nil {
			return err
		}
		tx.Bucket(bucketIDs).Put([]byte("NW1"), encodeEntry(nil, Entry{FirstSeen: time.Unix(1700000000, 0).UTC(), ContentHash: "sha256:00"}))
		tx.Bucket(bucketRecords).Put([]byte("NW1"), []byte(`{"id":"NW1","url":"http://a/1"}`))
		return tx.Bucket(bucketMeta).Put(keyFormat, []byte("3"))
	})
	ctx := context.Background()
	// Read-only (crawl stats) it is read as it is: no retries, nothing written.
	ro, err := Open(ctx, path, Options{LockTimeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only open of a format-3 store: %v", err)
	}
	if counts, err := ro.RetryCounts(ctx); err != nil || len(counts) != 0 {
		t.Errorf("retry counts of a format-3 store = %v, %v; want none", counts, err)
	}
	ro.Close()
	s, err := Open(ctx, path, Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatalf("open of a format-3 store for writing: %v", err)
	}
	defer s.Close()
	if _, err := s.RetryFailed(ctx, "a", []Failure{{URL: "http://a/2", Reason: "http 500"}}, 5, time.Now()); err != nil {
		t.Fatalf("remembering a failure in a format-3 store: %v", err)
	}
	if n, _ := s.Count(ctx); n != 1 {
		t.Errorf("the format-3 store's ids: %d, want 1", n)
	}
	var marker string
	s.view(func(tx *bolt.Tx) error {
		marker = string(tx.Bucket(bucketMeta).Get(keyFormat))
		return nil
	})
	if marker != strconv.Itoa(formatVersion) || formatVersion < 4 {
		t.Errorf("format marker %q, want %d: a binary without the retry list would let listings' 304s hide the failed pages", marker, formatVersion)
	}
}

func TestTheRetryListsFormatIsRefusedByABinaryThatCannotReadItsSuccessor(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v5.db")
	writeRawStore(t, path, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyFormat, []byte(strconv.Itoa(formatVersion+1)))
	})
	_, err := Open(context.Background(), path, Options{LockTimeout: time.Second})
	want := fmt.Sprintf("format %d, this binary reads up to %d", formatVersion+1, formatVersion)
	if !errors.Is(err, ErrSchema) || !strings.Contains(err.Error(), want) {
		t.Errorf("a format-%d store: %v; want ErrSchema naming both formats", formatVersion+1, err)
	}
}
