package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/newsmill/newsmill/store"
	"github.com/newsmill/newsmill/testkit/benchkit"
)

const recordLine = 64 // bytes per stored record line in the store figures

func storeRows(t *table, dir string, sz sizes) error {
	ctx := context.Background()
	t.section(fmt.Sprintf("Store at scale: %d ids already stored, %d-byte record lines (store/bench_test.go runs the same code)", sz.storeIDs, recordLine))
	fixture := filepath.Join(dir, "store.db")
	start := time.Now()
	if err := benchkit.FillStore(ctx, fixture, sz.storeIDs, recordLine); err != nil {
		return err
	}
	fill := time.Since(start)
	size := benchkit.FileSize(fixture)
	perID := float64(size) / float64(sz.storeIDs)
	t.add("store file per id", fmt.Sprintf("%.0f B", perID),
		fmt.Sprintf("%.0f B without the record line (key, line, page header); %.0f MB in all; filled in %.1f s", perID-float64(recordLine+len(benchkit.StoreID(0))+16), float64(size)/1e6, fill.Seconds()))

	var opens []time.Duration
	for i := 0; i < 5; i++ {
		s := time.Now()
		st, err := store.Open(ctx, fixture, store.Options{})
		if err != nil {
			return err
		}
		opens = append(opens, time.Since(s))
		st.Close()
	}
	sort.Slice(opens, func(i, j int) bool { return opens[i] < opens[j] })
	t.add("open the store", fmt.Sprintf("%.1f ms", float64(opens[2])/1e6), "median of 5 (lock, meta checks, format marker)")

	for _, c := range []struct {
		batch  int
		noSync bool
		note   string
	}{
		{256, false, "the pipeline's batch, fsync on (one commit, 2 fsyncs, per batch)"},
		{4096, false, "a long listing or a backfill, fsync on"},
		{4096, true, "fsync off: the store's own cost"},
	} {
		rate, err := checkInsertRate(ctx, fixture, filepath.Join(dir, "copy.db"), sz.storeIDs, c.batch, c.noSync)
		if err != nil {
			return err
		}
		t.add(fmt.Sprintf("check-and-insert, batches of %d", c.batch), fmt.Sprintf("%.0f ids/s", rate), c.note+"; 1 in 8 a duplicate")
	}
	return nil
}

// checkInsertRate copies the fixture and times benchkit.CheckInsert on 100,000 new ids (or a
// tenth of the store, if smaller).
func checkInsertRate(ctx context.Context, fixture, path string, stored, batch int, noSync bool) (float64, error) {
	data, err := os.ReadFile(fixture)
	if err != nil {
		return 0, err
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return 0, err
	}
	data = nil
	defer os.Remove(path)
	st, err := store.Open(ctx, path, store.Options{NoSync: noSync})
	if err != nil {
		return 0, err
	}
	defer st.Close()
	n := min(100000, max(stored/10, batch))
	items := make([]store.Item, 0, n)
	next := stored
	for len(items) < n {
		if len(items)%8 == 7 {
			items = append(items, benchkit.StoreItem(next/2, recordLine))
			continue
		}
		items = append(items, benchkit.StoreItem(next, recordLine))
		next++
	}
	start := time.Now()
	var pend []store.Pending
	for i := 0; i < n; i += batch {
		if pend, _, err = benchkit.CheckInsert(ctx, st, pend, items[i:min(i+batch, n)]); err != nil {
			return 0, err
		}
	}
	if err := st.Ack(ctx, pend); err != nil {
		return 0, err
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
