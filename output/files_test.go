package output

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAnOutputFolderDeletedMidRunFailsTheWriteInsteadOfWritingIntoNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	f, err := Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	path, _, err := f.Target(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Write(path, []byte(`{"id":"NW1"}`+"\n")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(dir)
	if err := f.Write(path, []byte(`{"id":"NW2"}`+"\n")); !errors.Is(err, ErrGone) || !strings.Contains(err.Error(), path) {
		t.Fatalf("write into the deleted folder: %v, want ErrGone naming %s", err, path)
	}
	if _, _, err := f.Target(time.Now()); !errors.Is(err, ErrGone) {
		t.Fatalf("target in the deleted folder: %v, want ErrGone", err)
	}
}

func TestAReplacedOutputFileFailsTheWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.jsonl")
	f, err := File(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	os.Rename(path, path+".old")
	os.WriteFile(path, nil, 0o644)
	if err := f.Write(path, []byte(`{"id":"NW1"}`+"\n")); !errors.Is(err, ErrGone) {
		t.Fatalf("write after the file was replaced: %v, want ErrGone", err)
	}
}

func TestASecondWriterOfAnOutputIsRefusedNamingTheHolder(t *testing.T) {
	dir := t.TempDir()
	a, err := Dir(dir, Owner("/data/a.db", ""))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Dir(dir, Owner("/data/a.db", ""))
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "pid ") {
		t.Fatalf("second writer of the folder: %v, want ErrInUse naming the holder", err)
	}
	a.Close()
	b, err := Dir(dir, Owner("/data/a.db", ""))
	if err != nil {
		t.Fatalf("the same store again once the first closed: %v", err)
	}
	b.Close()

	file := filepath.Join(t.TempDir(), "out.jsonl")
	f, err := File(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := File(file); !errors.Is(err, ErrInUse) {
		t.Fatalf("second writer of the file: %v, want ErrInUse", err)
	}
}

func TestAnOutputFolderOfAnotherStoreIsRefused(t *testing.T) {
	dir := t.TempDir()
	a, err := Dir(dir, Owner("/data/a.db", ""))
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	_, err = Dir(dir, Owner("/data/b.db", ""))
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "/data/a.db") {
		t.Fatalf("a second store on the folder: %v, want ErrInUse naming the owner", err)
	}
}

func TestOutputTargetsAreAbsoluteWhateverTheWorkingDirectory(t *testing.T) {
	t.Chdir(t.TempDir())
	f, err := Dir("out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	path, _, err := f.Target(time.Now())
	if err != nil || !filepath.IsAbs(path) {
		t.Fatalf("target %q (%v), want an absolute path for the outbox", path, err)
	}
	g, err := File("one.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if path, _, _ := g.Target(time.Now()); !filepath.IsAbs(path) {
		t.Fatalf("file target %q is relative", path)
	}
}

func TestADeviceIsRefusedAsOutputAndNotReadByRecovery(t *testing.T) {
	if _, err := File("/dev/full"); !errors.Is(err, ErrNotRegular) {
		t.Errorf("File(/dev/full): %v, want ErrNotRegular", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := LineAt("/dev/zero", 0, []byte(`{"id":"NW1"}`))
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) {
			t.Errorf("LineAt(/dev/zero): %v, want ErrNotRegular", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("LineAt reads /dev/zero without end")
	}
}

func TestTruncateCutsThroughTheSinkSoItsOffsetsStayTheFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.jsonl")
	os.WriteFile(path, []byte("{\"id\":\"NW1\"}\n{\"id\":\"NW"), 0o644)
	f, err := File(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(path, 13); err != nil {
		t.Fatal(err)
	}
	if err := f.Write(path, []byte(`{"id":"NW2"}`+"\n")); err != nil {
		t.Fatal(err)
	}
	if _, off, _ := f.Target(time.Now()); off != 26 {
		t.Errorf("next offset %d, want 26", off)
	}
	if ok, _ := LineAt(path, 13, []byte(`{"id":"NW2"}`)); !ok {
		b, _ := os.ReadFile(path)
		t.Errorf("file holds %q", b)
	}
}

func TestAFolderWithLinesRefusesANewStoreAtItsOwnersPathAndAnEmptyOneTakesIt(t *testing.T) {
	dir := t.TempDir()
	a, err := Dir(dir, Owner("/data/a.db", "1111"))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Write(a.PathFor(time.Now()), []byte(`{"id":"NW1"}`+"\n")); err != nil {
		t.Fatal(err)
	}
	a.Close()
	if b, err := Dir(dir, Owner("/data/a.db", "1111")); err != nil {
		t.Fatalf("the same store again: %v", err)
	} else {
		b.Close()
	}
	// The store was deleted and made anew at its path: it knows none of the ids written here.
	_, err = Dir(dir, Owner("/data/a.db", "2222"))
	if !errors.Is(err, ErrNewStore) || !strings.Contains(err.Error(), "serial 1111") || !strings.Contains(err.Error(), LockName) {
		t.Fatalf("a new store at the owner's path: %v, want ErrNewStore naming both serials and the lock file", err)
	}
	if _, err := File(filepath.Join(dir, "x.jsonl"), Owner("/data/a.db", "2222")); !errors.Is(err, ErrNewStore) {
		t.Fatalf("a file in the folder by the new store: %v, want ErrNewStore", err)
	}
	// A folder whose lines were moved away holds nothing the new store could repeat.
	names, _ := filepath.Glob(filepath.Join(dir, "newsmill-*.jsonl"))
	for _, n := range names {
		os.Remove(n)
	}
	c, err := Dir(dir, Owner("/data/a.db", "2222"))
	if err != nil {
		t.Fatalf("the new store on an emptied folder: %v", err)
	}
	c.Close()
	if lock := readLock(dir); lockField(lock, "serial") != "2222" {
		t.Errorf("lock file after the new store took the folder:\n%s", lock)
	}
}

func TestALockFileWithoutASerialIsTakenAndGainsOne(t *testing.T) {
	dir := t.TempDir()
	// As an older binary wrote it.
	os.WriteFile(filepath.Join(dir, LockName), []byte("store /data/a.db\npid 1 on h since 2026-01-01T00:00:00Z\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "newsmill-2026-01-01.jsonl"), []byte(`{"id":"NW1"}`+"\n"), 0o644)
	a, err := Dir(dir, Owner("/data/a.db", "3333"))
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	if lock := readLock(dir); lockField(lock, "serial") != "3333" || lockField(lock, "store") != "/data/a.db" {
		t.Errorf("lock file:\n%s", lock)
	}
}
