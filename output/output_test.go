package output

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// fullDisk writes the first n bytes it is given, then fails as a full disk does.
func fullDisk(n int) func(*os.File, []byte) (int, error) {
	return func(fh *os.File, b []byte) (int, error) {
		if len(b) <= n {
			w, err := fh.Write(b)
			n -= w
			return w, err
		}
		w, _ := fh.Write(b[:n])
		n = 0
		return w, &os.PathError{Op: "write", Path: fh.Name(), Err: syscall.ENOSPC}
	}
}

func TestShortWriteOnAFullDiskLeavesOnlyWholeLines(t *testing.T) {
	dir := t.TempDir()
	f, err := Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	first := []byte(`{"id":"NW1"}` + "\n")
	f.writeFile = fullDisk(len(first) + 7) // room for one line and 7 bytes of the next
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	path, off, _ := f.Target(now)
	if err := f.Write(path, first); err != nil {
		t.Fatal(err)
	}
	err = f.Write(path, []byte(`{"id":"NW2"}`+"\n"+`{"id":"NW3"}`+"\n"))
	if !errors.Is(err, ErrUnwritable) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("error %v, want ErrUnwritable wrapping ENOSPC", err)
	}
	b, _ := os.ReadFile(path)
	if !bytes.Equal(b, first) {
		t.Fatalf("file holds %q, want only the first whole line", b)
	}
	// Space freed: the next write goes where the torn one was cut off.
	f.writeFile = nil
	if _, next, _ := f.Target(now); next != off+int64(len(first)) {
		t.Errorf("next offset %d, want %d", next, off+int64(len(first)))
	}
	if err := f.Write(path, []byte(`{"id":"NW2"}`+"\n")); err != nil {
		t.Fatal(err)
	}
	if ok, _ := LineAt(path, int64(len(first)), []byte(`{"id":"NW2"}`)); !ok {
		t.Errorf("the retried line is not where the outbox expects it")
	}
}

func TestFullTmpfsGivesAClearErrorAndNoPartialLine(t *testing.T) {
	dir := t.TempDir()
	mnt := filepath.Join(dir, "small")
	os.Mkdir(mnt, 0o755)
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=8k"); err != nil {
		t.Skipf("cannot mount a small tmpfs (%v); the fault-injecting test covers this", err)
	}
	defer syscall.Unmount(mnt, 0)
	f, err := Dir(mnt)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	line := append(bytes.Repeat([]byte("x"), 1000), '\n')
	line = append([]byte(`{"id":"NW1","pad":"`), line[20:]...)
	line[len(line)-3], line[len(line)-2] = '"', '}'
	var werr error
	for i := 0; i < 100 && werr == nil; i++ {
		path, _, _ := f.Target(time.Now())
		werr = f.Write(path, line)
	}
	if !errors.Is(werr, ErrUnwritable) || !errors.Is(werr, syscall.ENOSPC) {
		t.Fatalf("error %v, want ErrUnwritable wrapping ENOSPC", werr)
	}
	files, _ := filepath.Glob(filepath.Join(mnt, "*.jsonl"))
	for _, p := range files {
		b, _ := os.ReadFile(p)
		if len(b)%len(line) != 0 || (len(b) > 0 && b[len(b)-1] != '\n') {
			t.Errorf("%s holds %d bytes: not whole %d-byte lines", p, len(b), len(line))
		}
	}
}
