// Package output is the write stage: it appends whole JSONL lines to a stream or to one file per
// day in a directory. It knows nothing of HTML or bbolt; the pipeline pairs it with the store's
// outbox so that a line reaches its file exactly once even across a crash.
package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
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

// Files appends to one file (File) or to a file per day in a directory (Dir).
type Files struct {
	dir   string // daily files when set
	fixed string // a single file when set
	mu    sync.Mutex
	open  map[string]*os.File
	sizes map[string]int64
	// writeFile is fh.Write; tests replace it to inject short writes and full disks.
	writeFile func(fh *os.File, b []byte) (int, error)
}

// File appends every line to path, creating it if needed.
func File(path string) (*Files, error) {
	f := &Files{fixed: path, open: map[string]*os.File{}, sizes: map[string]int64{}}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnwritable, path, err)
	}
	if _, err := f.file(path); err != nil {
		return nil, err
	}
	return f, nil
}

// Dir appends to dir/newsmill-YYYY-MM-DD.jsonl (UTC), creating dir if needed.
func Dir(dir string) (*Files, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnwritable, dir, err)
	}
	probe, err := os.CreateTemp(dir, ".newsmill-probe-*")
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnwritable, dir, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	return &Files{dir: dir, open: map[string]*os.File{}, sizes: map[string]int64{}}, nil
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
	if _, err := f.file(p); err != nil {
		return "", 0, err
	}
	return p, f.sizes[p], nil
}

// file opens path for appending once, remembering its size; the pipeline is the only writer
// while it holds the store, so the size it tracks is the file's.
func (f *Files) file(path string) (*os.File, error) {
	if fh, ok := f.open[path]; ok {
		return fh, nil
	}
	fh, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnwritable, path, err)
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("%w: %s: %v", ErrUnwritable, path, err)
	}
	f.open[path], f.sizes[path] = fh, st.Size()
	return fh, nil
}

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
	return first
}

// LineAt reports whether path holds, at offset, a whole line that is a JSON object with the
// given id. Recovery uses it to tell a line that reached the file before a crash from one that
// did not.
func LineAt(path string, offset int64, id string) (bool, error) {
	fh, err := os.Open(path)
	if os.IsNotExist(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer fh.Close()
	if _, err := fh.Seek(offset, io.SeekStart); err != nil {
		return false, err
	}
	line, err := bufio.NewReaderSize(fh, 64<<10).ReadBytes('\n')
	if err != nil { // EOF before the newline: no line, or half of one
		return false, nil
	}
	var rec struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(bytes.TrimSpace(line), &rec) != nil {
		return false, nil
	}
	return rec.ID == id, nil
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
