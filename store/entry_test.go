package store

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestBinaryEntryReadsBackWhatWasWrittenAndIsSmallerThanJSON(t *testing.T) {
	e := Entry{
		FirstURL:    "https://finews.withounder.com/emnews/2022/01/21/202201212257099936.html",
		FirstSeen:   time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC),
		ContentHash: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Source:      "finews",
		Revision:    3,
	}
	b := encodeEntry(nil, e)
	got, err := decodeEntry(b)
	e.FirstURL = "" // left to the record line
	if err != nil || got != e {
		t.Fatalf("decode(encode(e)) = %+v, %v; want %+v", got, err, e)
	}
	j, _ := json.Marshal(e)
	if len(b) >= len(j)*2/3 {
		t.Errorf("binary entry is %d bytes, JSON %d: the binary form should save at least a third", len(b), len(j))
	}
}

func TestEntryWithAnUnusualHashKeepsItAsWritten(t *testing.T) {
	for _, h := range []string{"", "md5:abc", "sha256:9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08", "sha256:short"} {
		e := Entry{FirstSeen: time.Unix(0, 0).UTC(), ContentHash: h}
		got, err := decodeEntry(encodeEntry(nil, e))
		if err != nil || got.ContentHash != h {
			t.Errorf("hash %q came back as %q (%v)", h, got.ContentHash, err)
		}
	}
}

func TestFormatOneStoreIsReadAndMarkedCurrentWhenOpenedForWriting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	// A store as format 1 wrote it: JSON entries, URLs as keys.
	writeRawStore(t, path, func(tx *bolt.Tx) error {
		e, _ := json.Marshal(Entry{FirstURL: "http://a/1", FirstSeen: time.Unix(1700000000, 0).UTC(), ContentHash: "sha256:00"})
		tx.Bucket(bucketIDs).Put([]byte("NW1"), e)
		tx.Bucket(bucketRecords).Put([]byte("NW1"), []byte(`{"id":"NW1"}`))
		tx.Bucket(bucketURLs).Put([]byte("http://a/1"), []byte("NW1"))
		return tx.Bucket(bucketMeta).Put(keyFormat, []byte("1"))
	})
	ctx := context.Background()
	s, err := Open(ctx, path, Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if id, ok, _ := s.KnownURL(ctx, "http://a/1"); !ok || id != "NW1" {
		t.Errorf("format-1 URL key not found: %q %v", id, ok)
	}
	if _, isNew, err := s.Commit(ctx, []Item{{ID: "NW1", URL: "http://a/1-twin"}, {ID: "NW2", URL: "http://a/2", Line: []byte("{}")}}); err != nil || isNew[0] || !isNew[1] {
		t.Fatalf("commit into a format-1 store: new=%v err=%v", isNew, err)
	}
	var marker string
	var entries []Entry
	s.view(func(tx *bolt.Tx) error {
		marker = string(tx.Bucket(bucketMeta).Get(keyFormat))
		return tx.Bucket(bucketIDs).ForEach(func(_, v []byte) error {
			e, err := decodeEntry(v)
			if err != nil {
				t.Error(err)
			}
			entries = append(entries, e)
			return nil
		})
	})
	if marker != strconv.Itoa(formatVersion) {
		t.Errorf("format marker %q after a write, want %d so older binaries refuse the store", marker, formatVersion)
	}
	if len(entries) != 2 || entries[0].FirstURL != "http://a/1" || entries[1].FirstSeen.IsZero() {
		t.Errorf("entries = %+v, want the JSON one and the binary one", entries)
	}
}

func TestURLKeysOfOneFolderSortTogetherInOrder(t *testing.T) {
	a := urlKey("https://finews.withounder.com/emnews/2022/01/21/202201212257099936.html")
	b := urlKey("https://finews.withounder.com/emnews/2022/01/21/202201212257099937.html")
	c := urlKey("https://finews.withounder.com/emnews/2022/01/22/202201212257099935.html")
	if string(a) >= string(b) {
		t.Errorf("keys of one folder are not in the order of their names")
	}
	if string(a[:9]) != string(b[:9]) || string(a[:9]) == string(c[:9]) {
		t.Errorf("keys should share their folder's prefix and only theirs")
	}
	if len(a) > 40 {
		t.Errorf("key is %d bytes, want the folder hashed down", len(a))
	}
}

func FuzzDecodeEntryNeverPanics(f *testing.F) {
	f.Add(encodeEntry(nil, Entry{FirstURL: "http://a/1", FirstSeen: time.Unix(1700000000, 0), ContentHash: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Source: "x"}))
	f.Add([]byte{entryV2, 0xff, 0xff, 0xff}) // a varint running off the end: must not read past it
	f.Add([]byte{entryV2, 1, 1, 3})          // a raw hash cut short
	f.Add([]byte(`{"u":"http://a/1"}`))      // format 1
	f.Fuzz(func(t *testing.T, b []byte) {
		if e, err := decodeEntry(b); err == nil && len(b) > 0 && b[0] == entryV2 {
			if _, err := decodeEntry(encodeEntry(nil, e)); err != nil {
				t.Errorf("re-encoding a decoded entry fails: %v", err)
			}
		}
	})
}

// writeRawStore builds a store file by hand, every bucket present, as an older or newer
// binary would have left it; fill writes its contents.
func writeRawStore(t *testing.T, path string, fill func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return fill(tx)
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}
