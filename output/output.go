// Package output is the write stage: it appends whole JSONL lines to a stream or to one file per
// day in a directory. It knows nothing of HTML or bbolt; the pipeline pairs it with the store's
// outbox so that a line reaches its file exactly once even across a crash.
package output

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	regularfile "github.com/newsmill/newsmill/internal/regular"
)

// FilePattern names the daily files of a directory output: the UTC date the lines were written.
// UTC keeps a day's file the same whoever runs the crawl, wherever.
const FilePattern = "newsmill-2006-01-02.jsonl"

// Sink receives whole lines.
type Sink interface {
	// Target is where the next line of size n would go and the offset it would start at; "" and
	// 0 for a stream, whose writes cannot be verified after a crash.
	Target(now time.Time) (path string, offset int64, err error)
	// Write appends lines (each ending in '\n') to the target named by Target and makes them
	// durable before returning.
	Write(path string, lines []byte) error
	Close() error
}

// Stream writes to an io.Writer such as stdout.
type Stream struct {
	mu sync.Mutex
	w  io.Writer
}

// NewStream writes to w.
func NewStream(w io.Writer) *Stream { return &Stream{w: w} }

func (s *Stream) Target(time.Time) (string, int64, error) { return "", 0, nil }

func (s *Stream) Write(_ string, lines []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.w.Write(lines); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

func (s *Stream) Close() error { return nil }

// Files appends to one file (File) or to a file per day in a directory (Dir). Paths are made
// absolute: they are what the store's outbox records, and a later run from another working
// directory must find the same files.
type Files struct {
	dir   string // daily files when set
	fixed string // a single file when set
	mu    sync.Mutex
	open  map[string]*os.File
	sizes map[string]int64
	lock  *os.File // the directory's lock file, held until Close
	// lockAt is the directory of lock: dir, or a fixed file's folder that a store owns.
	lockAt string
	// writeFile is fh.Write; tests replace it to inject short writes and full disks.
	writeFile func(fh *os.File, b []byte) (int, error)
}

// Option tunes Dir and File.
type Option func(*options)

type options struct{ owner, serial string }

// Owner names the store whose outbox records offsets into the output, by its path and its
// serial (store.Store.Serial). A directory remembers its owner in its lock file and refuses
// another: two stores tracking one file's size each on their own would cut each other's lines
// when recovering from a crash. It refuses a new store at the owner's path too, while it holds
// output files: that store knows none of the ids written there and would write each again.
func Owner(store, serial string) Option {
	return func(o *options) { o.owner, o.serial = store, serial }
}

// File appends every line to path, creating it if needed. path must be a regular file (or not
// exist yet): a device or a pipe cannot be checked after a crash. The file is locked for as long
// as it is open, so a second writer is refused instead of interleaving.
//
// A file in a folder some store writes with Dir (one holding LockName) is written under that
// folder's lock, and only with that store as Owner: another store, or none, would track the
// file's size on its own and the owner's crash recovery would cut its lines.
func File(path string, opts ...Option) (*Files, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnwritable, path, err)
	}
	if err := regular(abs); err != nil {
		return nil, err
	}
	f := &Files{fixed: abs, open: map[string]*os.File{}, sizes: map[string]int64{}}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnwritable, path, err)
	}
	if dir := filepath.Dir(abs); exists(filepath.Join(dir, LockName)) {
		if was := lockField(readLock(dir), "store"); was != "" && was != o.owner {
			return nil, fmt.Errorf("%w: %s is in %s, which belongs to the store %s: write there with --db %s, or give --out another folder",
				ErrInUse, path, dir, was, was)
		}
		if f.lock, err = lockDir(dir, o); err != nil {
			return nil, err
		}
		f.lockAt = dir
	}
	fh, err := f.file(abs)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(fh.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: %s is written by another process", ErrInUse, path)
	}
	return f, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// regular refuses an existing path that is not a regular file.
func regular(path string) error {
	if m, ok := regularfile.NotRegular(path); ok {
		return fmt.Errorf("%w: %s is not a regular file (%s)", ErrNotRegular, path, m.Type())
	}
	return nil
}

// LockName is the file in an output directory that is locked while a run writes there and names
// the store that owns the directory.
const LockName = ".newsmill.lock"

// Dir appends to dir/newsmill-YYYY-MM-DD.jsonl (UTC), creating dir if needed. It holds
// dir/.newsmill.lock until Close: a second writer is refused with ErrInUse naming the holder.
func Dir(dir string, opts ...Option) (*Files, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnwritable, dir, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnwritable, dir, err)
	}
	lock, err := lockDir(abs, o)
	if err != nil {
		return nil, err
	}
	return &Files{dir: abs, lock: lock, lockAt: abs, open: map[string]*os.File{}, sizes: map[string]int64{}}, nil
}

// lockDir takes dir's lock file (which also proves the directory writable) and checks that the
// directory belongs to o's store, or to nobody yet.
func lockDir(dir string, o options) (*os.File, error) {
	owner := o.owner
	path := filepath.Join(dir, LockName)
	fh, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnwritable, dir, err)
	}
	prev, _ := io.ReadAll(io.LimitReader(fh, 4<<10))
	if err := syscall.Flock(int(fh.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		fh.Close()
		return nil, fmt.Errorf("%w: %s is written by another process (%s)", ErrInUse, dir, holder(prev))
	}
	if was := lockField(prev, "store"); owner != "" && was != "" && was != owner {
		fh.Close()
		return nil, fmt.Errorf("%w: %s belongs to the store %s, not %s: give each store its own output folder (remove %s if that store is gone for good)",
			ErrInUse, dir, was, owner, path)
	}
	serial := o.serial
	if was := lockField(prev, "serial"); owner != "" && serial != "" && was != "" && was != serial && hasOutput(dir) {
		fh.Close()
		return nil, fmt.Errorf("%w: %s was written with the store %s (serial %s), which is now another store (serial %s) knowing none of the ids written there: restore that store, or remove %s to write every article again",
			ErrNewStore, dir, owner, was, serial, path)
	}
	if owner == "" {
		owner, serial = lockField(prev, "store"), lockField(prev, "serial")
	}
	host, _ := os.Hostname()
	msg := fmt.Sprintf("store %s\n", owner)
	if serial != "" {
		msg += fmt.Sprintf("serial %s\n", serial)
	}
	msg += fmt.Sprintf("pid %d on %s since %s\n", os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))
	err = fh.Truncate(0)
	if err == nil {
		_, err = fh.WriteAt([]byte(msg), 0)
	}
	if err == nil {
		err = fh.Sync()
	}
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("%w: %s: %v", ErrUnwritable, dir, err)
	}
	return fh, nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// readLock reads dir's lock file without taking it.
func readLock(dir string) []byte {
	b, _ := os.ReadFile(filepath.Join(dir, LockName))
	if len(b) > 4<<10 {
		b = b[:4<<10]
	}
	return b
}

// lockField is the value of the lock file's line "key value" ("store", "serial"), or "".
func lockField(lock []byte, key string) string {
	for _, line := range strings.Split(string(lock), "\n") {
		if v, ok := strings.CutPrefix(line, key+" "); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// hasOutput reports whether dir holds a daily file with any line in it.
func hasOutput(dir string) bool {
	names, _ := filepath.Glob(filepath.Join(dir, "newsmill-*.jsonl"))
	for _, n := range names {
		if fi, err := os.Stat(n); err == nil && fi.Size() > 0 {
			return true
		}
	}
	return false
}

func holder(lock []byte) string {
	if s := strings.TrimSpace(strings.ReplaceAll(string(lock), "\n", ", ")); s != "" {
		return "held by " + s
	}
	return "holder unknown"
}

// Paths appends to whatever files it is given, unlocked: recovery uses it for the files of an
// earlier run when this run writes to a stream.
func Paths() *Files { return &Files{open: map[string]*os.File{}, sizes: map[string]int64{}} }

// Check fails with ErrGone when the file written at path is no longer there.
func (f *Files) Check(path string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	fh, ok := f.open[path]
	if !ok {
		return nil
	}
	return linked(fh, path)
}

// PathFor is the file a line written at now goes to.
func (f *Files) PathFor(now time.Time) string {
	if f.fixed != "" {
		return f.fixed
	}
	return filepath.Join(f.dir, now.UTC().Format(FilePattern))
}

func (f *Files) Target(now time.Time) (string, int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.PathFor(now)
	if f.lock != nil {
		// The folder itself deleted: say so, rather than fail to create a file in it.
		if err := linked(f.lock, filepath.Join(f.lockAt, LockName)); err != nil {
			return "", 0, fmt.Errorf("%w: output folder %s was deleted or replaced while the run wrote to it", ErrGone, f.lockAt)
		}
	}
	fh, err := f.file(p)
	if err != nil {
		return "", 0, err
	}
	if err := linked(fh, p); err != nil {
		return "", 0, err
	}
	return p, f.sizes[p], nil
}

// linked fails when the open file is no longer the one at path (its folder or itself deleted,
// moved or replaced): lines written to it would be lost with it, so nothing written there may be
// acknowledged.
func linked(fh *os.File, path string) error {
	a, err := fh.Stat()
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnwritable, path, err)
	}
	if st, ok := a.Sys().(*syscall.Stat_t); ok && st.Nlink == 0 {
		return fmt.Errorf("%w: %s was deleted while the run wrote to it", ErrGone, path)
	}
	b, err := os.Stat(path)
	if err != nil || !os.SameFile(a, b) {
		return fmt.Errorf("%w: %s was deleted or replaced while the run wrote to it", ErrGone, path)
	}
	return nil
}

// file opens path for appending once, remembering its size; the pipeline is the only writer
// while it holds the store and the directory's lock, so the size it tracks is the file's.
func (f *Files) file(path string) (*os.File, error) {
	if fh, ok := f.open[path]; ok {
		return fh, nil
	}
	if err := regular(path); err != nil {
		return nil, err
	}
	_, statErr := os.Stat(path)
	fh, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnwritable, path, err)
	}
	if os.IsNotExist(statErr) {
		// A new file's name must survive a power loss as its fsynced lines do.
		if err := syncDir(filepath.Dir(path)); err != nil {
			fh.Close()
			return nil, fmt.Errorf("%w: %s: %v", ErrUnwritable, path, err)
		}
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("%w: %s: %v", ErrUnwritable, path, err)
	}
	f.open[path], f.sizes[path] = fh, st.Size()
	return fh, nil
}

// Write appends lines to path, fsyncs them and checks that the file is still the one at path.
func (f *Files) Write(path string, lines []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	fh, err := f.file(path)
	if err != nil {
		return err
	}
	write := (*os.File).Write
	if f.writeFile != nil {
		write = f.writeFile
	}
	n, err := write(fh, lines)
	if err == nil {
		err = fh.Sync()
	}
	if err != nil {
		// A short write (full disk) leaves part of a line; cut it off so the file holds whole
		// lines only, and let the outbox rewrite them later.
		_ = fh.Truncate(f.sizes[path])
		return fmt.Errorf("%w: %s: %w", ErrUnwritable, path, err)
	}
	f.sizes[path] += int64(n)
	return linked(fh, path)
}

// Truncate cuts path back to size through the open file, so the size the sink tracks stays the
// file's: recovery cuts a torn tail with it before writing the lines again.
func (f *Files) Truncate(path string, size int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	fh, err := f.file(path)
	if err != nil {
		return err
	}
	if f.sizes[path] <= size {
		return nil
	}
	if err := fh.Truncate(size); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnwritable, path, err)
	}
	if err := fh.Sync(); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnwritable, path, err)
	}
	f.sizes[path] = size
	return nil
}

func (f *Files) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var first error
	for p, fh := range f.open {
		if err := fh.Close(); err != nil && first == nil {
			first = fmt.Errorf("close %s: %w", p, err)
		}
		delete(f.open, p)
	}
	if f.lock != nil {
		f.lock.Close()
		f.lock = nil
	}
	return first
}

// LineAt reports whether path holds, at offset, exactly line followed by a newline. Recovery
// uses it to tell a line that reached the file before a crash from one that did not. It reads
// no more than the line: an outbox naming a device is refused, not read without end.
func LineAt(path string, offset int64, line []byte) (bool, error) {
	fh, err := os.Open(path)
	if os.IsNotExist(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return false, err
	}
	if !st.Mode().IsRegular() {
		return false, fmt.Errorf("%w: %s is not a regular file (%s)", ErrNotRegular, path, st.Mode().Type())
	}
	if offset+int64(len(line))+1 > st.Size() {
		return false, nil
	}
	got := make([]byte, len(line)+1)
	if _, err := fh.ReadAt(got, offset); err != nil {
		return false, nil
	}
	return bytes.Equal(got[:len(line)], line) && got[len(line)] == '\n', nil
}

// TruncateTo cuts path back to size: what lies beyond was never confirmed.
func TruncateTo(path string, size int64) error {
	st, err := os.Stat(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if st.Size() <= size {
		return nil
	}
	return os.Truncate(path, size)
}
