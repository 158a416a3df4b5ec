package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsmill/newsmill/crawler"
	"github.com/newsmill/newsmill/output"
)

// SinkStats count what a sink wrote.
type SinkStats struct {
	Lines   int64
	Resumed uint64 // the stream sequence the sink started from
}

// SinkProgress is what a running sink has done, for its metrics. Fields change atomically.
type SinkProgress struct {
	Lines     atomic.Int64  // lines written since start
	LastSeq   atomic.Uint64 // stream sequence of the last line written
	LastWrite atomic.Int64  // unix nanoseconds of the last fsynced write; 0 before the first
	cons      atomic.Pointer[jetstream.Consumer]
}

// Lag is how many records wait in the stream after the last line written: the pending count of
// the sink's consumer, or, while it has none (between consumers, a server restart), the stream's
// last sequence less the last one written.
func (c *Cluster) Lag(ctx context.Context, p *SinkProgress) (uint64, error) {
	if cp := p.cons.Load(); cp != nil {
		if info, err := (*cp).Info(ctx); err == nil {
			return info.NumPending, nil
		}
	}
	info, err := c.records.Info(ctx)
	if err != nil {
		return 0, err
	}
	if last := p.LastSeq.Load(); info.State.LastSeq > last {
		return info.State.LastSeq - last, nil
	}
	return 0, nil
}

// sinkState is a fallback cursor beside the files, used only when no line of the files names an
// id still in the stream (every one was forgotten).
const sinkState = ".newsmill-sink"

// Sink copies the record stream into dir's daily files (newsmill-YYYY-MM-DD.jsonl, by the UTC
// date the server stored the record), in stream order, exactly once across kills: the files
// are their own cursor. On start a torn last line is cut off and the last whole line's id, looked
// up in the stream, says where to go on; lines are fsynced before the next are read. It runs
// until ctx is cancelled; idle returns once the stream is drained and nothing came for that long
// (0: never).
func (c *Cluster) Sink(ctx context.Context, dir string, idle time.Duration) (SinkStats, error) {
	return c.SinkWithProgress(ctx, dir, idle, &SinkProgress{})
}

// SinkWithProgress is Sink keeping p up to date as it writes.
func (c *Cluster) SinkWithProgress(ctx context.Context, dir string, idle time.Duration, p *SinkProgress) (SinkStats, error) {
	var st SinkStats
	files, err := output.Dir(dir)
	if err != nil {
		return st, err
	}
	defer files.Close()
	next, err := c.resume(ctx, dir)
	if err != nil {
		return st, err
	}
	st.Resumed = next
	p.LastSeq.Store(next - 1)
	c.log.Info("sink starts", zap.String("dir", dir), zap.Uint64("from_sequence", next))
	// Our own ordered reading: an ephemeral consumer from the next sequence, no acks, and a
	// fresh consumer from the last line written whenever a delivery is missing (its consumer
	// sequence jumps), a fetch fails, or the consumer went away with a server restart. nats.go's
	// ordered consumer does the same but waits out missed heartbeats (seconds) after a restart.
	r := &sinkReader{c: c, dir: dir, files: files, p: p, st: &st, last: next - 1}
	quiet, checked := time.Now(), time.Now()
	for ctx.Err() == nil {
		if r.cons == nil && !r.connect(ctx) {
			if crawler.Sleep(ctx, 250*time.Millisecond) != nil {
				break
			}
			continue
		}
		got, err := r.copyBatch()
		if err != nil {
			return st, err
		}
		if got {
			quiet = time.Now()
			continue
		}
		if time.Since(checked) > 2*time.Second && r.cons != nil {
			checked = time.Now()
			r.checkConsumer(ctx)
		}
		if idle > 0 && time.Since(quiet) > idle {
			if info, err := c.records.Info(ctx); err == nil && info.State.LastSeq <= r.last {
				break
			}
		}
	}
	return st, nil
}

// sinkReader is one sink's reading of the record stream: its consumer, the consumer sequence
// it expects next, and the stream sequence of the last line written.
type sinkReader struct {
	c     *Cluster
	dir   string
	files *output.Files
	p     *SinkProgress
	st    *SinkStats
	cons  jetstream.Consumer
	cseq  uint64
	last  uint64
}

// connect makes a consumer from the line after the last one written; false when the stream is
// not ready yet.
func (r *sinkReader) connect(ctx context.Context) bool {
	cons, err := r.c.js.CreateConsumer(ctx, r.c.RecordStream(), jetstream.ConsumerConfig{
		AckPolicy: jetstream.AckNonePolicy, DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: r.last + 1,
		InactiveThreshold: time.Minute, MemoryStorage: true, Replicas: 1,
	})
	if err != nil {
		r.c.log.Debug("record consumer not ready; retrying", zap.Error(err))
		return false
	}
	r.cons, r.cseq = cons, 0
	r.p.cons.Store(&cons)
	return true
}

// copyBatch fetches one batch and writes its lines, a file's lines in one write; it reports
// whether any line came. A missing delivery or a failed fetch drops the consumer, so the next
// one starts after the last line written.
func (r *sinkReader) copyBatch() (bool, error) {
	batch, err := r.cons.Fetch(512, jetstream.FetchMaxWait(250*time.Millisecond))
	if err != nil {
		r.cons = nil
		return false, nil
	}
	var path string
	var lines []byte
	n := 0
	flush := func() error {
		if len(lines) == 0 {
			return nil
		}
		if err := r.files.Write(path, lines); err != nil {
			return err
		}
		r.st.Lines += int64(n)
		r.p.Lines.Add(int64(n))
		r.p.LastSeq.Store(r.last)
		r.p.LastWrite.Store(time.Now().UnixNano())
		lines, n = lines[:0], 0
		return r.c.saveCursor(r.dir, r.last)
	}
	got := false
	for msg := range batch.Messages() {
		md, err := msg.Metadata()
		if err != nil || md.Sequence.Consumer != r.cseq+1 {
			r.cons = nil // a delivery went missing: start again after the last line
			break
		}
		r.cseq = md.Sequence.Consumer
		if md.Sequence.Stream <= r.last {
			continue
		}
		got = true
		if to := r.files.PathFor(md.Timestamp); to != path {
			if err := flush(); err != nil {
				return got, err
			}
			path = to
		}
		lines = append(append(lines, bytes.TrimRight(msg.Data(), "\n")...), '\n')
		n++
		r.last = md.Sequence.Stream
	}
	if err := flush(); err != nil {
		return got, err
	}
	if e := batch.Error(); e != nil && !errors.Is(e, jetstream.ErrNoMessages) && !errors.Is(e, nats.ErrTimeout) {
		r.c.log.Debug("record fetch ended", zap.Error(e))
		r.cons = nil
	}
	return got, nil
}

// checkConsumer drops the consumer when lines wait in the stream and the consumer is gone
// (a server restart): nothing came for a while.
func (r *sinkReader) checkConsumer(ctx context.Context) {
	if info, err := r.c.records.Info(ctx); err == nil && info.State.LastSeq > r.last {
		if _, err := r.cons.Info(ctx); err != nil {
			r.cons = nil
		}
	}
}

// resume is the stream sequence after the last line in dir's files. A torn last line (the sink
// was killed mid-write) is cut off first.
func (c *Cluster) resume(ctx context.Context, dir string) (uint64, error) {
	names, _ := filepath.Glob(filepath.Join(dir, "newsmill-*.jsonl"))
	sort.Sort(sort.Reverse(sort.StringSlice(names)))
	any := false
	for _, name := range names {
		ids, err := lastIDs(name)
		if err != nil {
			return 0, fmt.Errorf("%w: %s: %v", ErrResume, name, err)
		}
		for _, l := range ids {
			any = true
			m, err := c.records.GetLastMsgForSubject(ctx, c.revisionSubject(l.id, l.rev))
			if isNotFound(err) {
				continue // forgotten since: an earlier line says where we were
			}
			if err != nil {
				return 0, fmt.Errorf("%w: look up %s: %v", ErrResume, l.id, err)
			}
			if !bytes.Equal(bytes.TrimRight(m.Data, "\n"), l.line) {
				// Forgotten and published again since: the stream's message for the id is a
				// later one than this line, so it cannot say where we were.
				continue
			}
			return m.Sequence + 1, nil
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, sinkState)); err == nil {
		if n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil {
			return n + 1, nil
		}
	}
	if any {
		return 0, fmt.Errorf("%w: %s holds lines but none of their ids is in stream %s (another cluster's folder?)", ErrResume, dir, c.RecordStream())
	}
	return 1, nil
}

// saveCursor keeps the last sequence written beside the files. Not fsynced: the files are the
// cursor; this one only matters after every id in them was forgotten.
func (c *Cluster) saveCursor(dir string, seq uint64) error {
	return os.WriteFile(filepath.Join(dir, sinkState), []byte(strconv.FormatUint(seq, 10)+"\n"), 0o644)
}

// idLine is a line of the files with its id.
type idLine struct {
	id   string
	rev  int // the line's revision: its message is on that revision's subject
	line []byte
}

// lastIDs cuts a torn last line off path and returns the ids of its last lines, newest first
// (from the last 1 MiB, or the whole file when that holds no whole line).
func lastIDs(path string) ([]idLine, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := info.Size()
	for window := int64(1 << 20); ; window *= 4 {
		from := max(size-window, 0)
		buf := make([]byte, size-from)
		if _, err := f.ReadAt(buf, from); err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		end := bytes.LastIndexByte(buf, '\n')
		if end < 0 && from > 0 {
			continue
		}
		if keep := from + int64(end) + 1; keep < size {
			// A line without its newline never reached its fsync whole: cut it, it comes again.
			if err := f.Truncate(keep); err != nil {
				return nil, err
			}
			if err := f.Sync(); err != nil {
				return nil, err
			}
			size = keep
		}
		if end < 0 {
			return nil, nil
		}
		lines := bytes.Split(buf[:end], []byte{'\n'})
		var ids []idLine
		for i := len(lines) - 1; i >= 0; i-- {
			if i == 0 && from > 0 {
				break // may be the tail of a line cut by the window
			}
			var r struct {
				ID       string `json:"id"`
				Revision int    `json:"revision"`
			}
			if json.Unmarshal(lines[i], &r) == nil && r.ID != "" {
				ids = append(ids, idLine{r.ID, r.Revision, lines[i]})
			}
		}
		if len(ids) > 0 || from == 0 {
			return ids, nil
		}
	}
}
