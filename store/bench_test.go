package store_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/newsmill/newsmill/store"
	"github.com/newsmill/newsmill/testkit/benchkit"
)

var (
	storeIDs  = flag.Int("store.ids", 100000, "ids already stored before BenchmarkCheckInsert* run (1000000 for the figure in the README)")
	storeLine = flag.Int("store.line", 64, "bytes of each stored record line")
)

var (
	fixtureOnce sync.Once
	fixtureDir  string
	fixtureErr  error
)

// fixture builds one store of -store.ids ids per test binary; each benchmark copies it.
func fixture(b *testing.B) string {
	fixtureOnce.Do(func() {
		fixtureDir, fixtureErr = os.MkdirTemp("", "newsmill-store-bench-")
		if fixtureErr == nil {
			start := time.Now()
			fixtureErr = benchkit.FillStore(context.Background(), filepath.Join(fixtureDir, "s.db"), *storeIDs, *storeLine)
			b.Logf("filled %d ids in %s", *storeIDs, time.Since(start).Round(time.Millisecond))
		}
	})
	if fixtureErr != nil {
		b.Fatal(fixtureErr)
	}
	return filepath.Join(fixtureDir, "s.db")
}

func copyStore(b *testing.B, src string) string {
	data, err := os.ReadFile(src)
	if err != nil {
		b.Fatal(err)
	}
	dst := filepath.Join(b.TempDir(), "s.db")
	if err := os.WriteFile(dst, data, 0o600); err != nil {
		b.Fatal(err)
	}
	return dst
}

// benchCheckInsert runs the pipeline's batched check-and-insert of new ids (one in eight a
// duplicate of a stored one) on a copy of the filled store. One op is one id.
func benchCheckInsert(b *testing.B, batch int, noSync bool) {
	path := copyStore(b, fixture(b))
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{NoSync: noSync})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	// The items are made before the clock starts: what is timed is the store, not fmt.
	all := make([]store.Item, 0, b.N)
	next := *storeIDs
	for len(all) < b.N {
		if len(all)%8 == 7 {
			all = append(all, benchkit.StoreItem(next/2, *storeLine))
			continue
		}
		all = append(all, benchkit.StoreItem(next, *storeLine))
		next++
	}
	b.ResetTimer()
	var pend []store.Pending
	for done := 0; done < b.N; done += batch {
		if pend, _, err = benchkit.CheckInsert(ctx, st, pend, all[done:min(done+batch, b.N)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := st.Ack(ctx, pend); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ids/s")
}

func BenchmarkCheckInsertBatch256(b *testing.B)       { benchCheckInsert(b, 256, false) }
func BenchmarkCheckInsertBatch256NoSync(b *testing.B) { benchCheckInsert(b, 256, true) }

// A backfill or a long listing fills larger batches: the commit's fixed cost (its two fsyncs,
// the tree's spill) is shared by more ids.
func BenchmarkCheckInsertBatch4096(b *testing.B)       { benchCheckInsert(b, 4096, false) }
func BenchmarkCheckInsertBatch4096NoSync(b *testing.B) { benchCheckInsert(b, 4096, true) }

// BenchmarkOpen is the time to open the filled store (lock, checks, format marker).
func BenchmarkOpen(b *testing.B) {
	path := copyStore(b, fixture(b))
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st, err := store.Open(ctx, path, store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		st.Close()
	}
	b.ReportMetric(float64(benchkit.FileSize(path))/float64(*storeIDs), "bytes/id")
}
