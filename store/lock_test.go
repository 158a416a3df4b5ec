package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func commitOne(s *Store, id string) error {
	_, _, err := s.Commit(context.Background(), []Item{{ID: id, URL: "http://a/" + id, Line: []byte(`{"id":"` + id + `"}`)}})
	return err
}

func TestAStoreDeletedUnderARunningProcessStopsItsNextCall(t *testing.T) {
	s, path := openTemp(t)
	if err := commitOne(s, "NW1"); err != nil {
		t.Fatal(err)
	}
	os.Remove(path)
	err := commitOne(s, "NW2")
	if !errors.Is(err, ErrMoved) || !strings.Contains(err.Error(), "deleted") {
		t.Fatalf("commit after the store was deleted: %v, want ErrMoved naming the deletion", err)
	}
	if _, err := s.Seen(context.Background(), "NW1"); !errors.Is(err, ErrMoved) {
		t.Errorf("a read after the deletion: %v, want ErrMoved", err)
	}
}

func TestAStoreReplacedOrEmptiedUnderARunningProcessStopsIt(t *testing.T) {
	for name, change := range map[string]func(path string){
		"replaced": func(path string) {
			os.Rename(path, path+".old")
			os.WriteFile(path, []byte("other"), 0o600)
		},
		"emptied": func(path string) { os.Truncate(path, 0) },
	} {
		t.Run(name, func(t *testing.T) {
			s, path := openTemp(t)
			if err := commitOne(s, "NW1"); err != nil {
				t.Fatal(err)
			}
			change(path)
			if err := commitOne(s, "NW2"); !errors.Is(err, ErrMoved) {
				t.Fatalf("commit after the store was %s: %v, want ErrMoved", name, err)
			}
		})
	}
}

func TestDeletingTheStoreDoesNotLetASecondWriterIn(t *testing.T) {
	s, path := openTemp(t)
	os.Remove(path)
	second, err := Open(context.Background(), path, Options{LockTimeout: 200 * time.Millisecond})
	if err == nil {
		second.Close()
		t.Fatal("a second writer opened a fresh store beside the running one")
	}
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	s.Close()
	// Once the first lets go, the path is free again.
	third, err := Open(context.Background(), path, Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatalf("open after the holder closed: %v", err)
	}
	third.Close()
}

func TestAnEmptyStoreFileIsRefusedNotTakenAsNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	os.WriteFile(path, nil, 0o600)
	_, err := Open(context.Background(), path, Options{LockTimeout: time.Second})
	if !errors.Is(err, ErrEmpty) || !strings.Contains(err.Error(), path) {
		t.Fatalf("open of an empty file: %v, want ErrEmpty naming it", err)
	}
	if fi, _ := os.Stat(path); fi.Size() != 0 {
		t.Errorf("the empty file was written to (%d bytes)", fi.Size())
	}
}

func TestAStoreThatIsADirectoryIsReportedAsSuchNotAsCorrupt(t *testing.T) {
	path := t.TempDir()
	_, err := Open(context.Background(), path, Options{LockTimeout: time.Second})
	if !errors.Is(err, ErrNotFile) || errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "directory") {
		t.Fatalf("open of a directory: %v", err)
	}
}

func TestTheHolderFileIsPrivateAndHidesPasswords(t *testing.T) {
	args := os.Args
	os.Args = []string{"crawl", "--url", "http://bob:s3cret@127.0.0.1/feed.xml"}
	defer func() { os.Args = args }()
	_, path := openTemp(t)
	fi, err := os.Stat(holderPath(path))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("holder file mode %v, want 0600 like the store", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(holderPath(path))
	if strings.Contains(string(b), "s3cret") || !strings.Contains(string(b), "bob:xxxxx@") {
		t.Errorf("holder file shows the password: %s", b)
	}
}

func TestATemporaryStoreLeavesNoFileBehind(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	s, err := OpenTemp(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := commitOne(s, "NW1"); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(os.Getenv("TMPDIR"), "*"))
	if len(left) != 0 {
		t.Errorf("a temporary store left %v while open (a killed run would leave them)", left)
	}
	if seen, err := s.Seen(context.Background(), "NW1"); err != nil || !seen["NW1"] {
		t.Errorf("the unlinked store forgot its ids: %v %v", seen, err)
	}
	s.Close()
}
