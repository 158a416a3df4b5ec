package benchkit

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/newsmill/newsmill/store"
)

// StoreID is the i-th id of a generated store: info codes as the real site issues them, a date
// and a rising number, so new ids land at the end of the B-tree as they do in production.
func StoreID(i int) string {
	day := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/20000)
	return fmt.Sprintf("NW%s%010d", day.Format("20060102"), 2200000000+i)
}

// StoreItem is the item the pipeline would commit for id i: its article URL, content hash and
// a record line of lineSize bytes.
func StoreItem(i, lineSize int) store.Item {
	id := StoreID(i)
	line := fmt.Appendf(nil, `{"id":%q}`, id)
	for len(line) < lineSize {
		line = append(line, ' ')
	}
	return store.Item{
		ID:     id,
		URL:    "https://finews.withounder.com/emnews/2022/01/21/" + id[2:] + ".html",
		Hash:   "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Source: "finews",
		Line:   line,
		Target: "/var/lib/newsmill/out/newsmill-2022-01-21.jsonl",
		Offset: int64(i) * int64(lineSize+1),
	}
}

// FillStore creates a store at path holding ids 0..n-1, committed in large unsynced batches
// (building the fixture is not what is measured) and acknowledged, as after a clean run.
func FillStore(ctx context.Context, path string, n, lineSize int) error {
	st, err := store.Open(ctx, path, store.Options{NoSync: true})
	if err != nil {
		return err
	}
	const batch = 20000
	items := make([]store.Item, 0, batch)
	for i := 0; i < n; i += batch {
		items = items[:0]
		for j := i; j < min(i+batch, n); j++ {
			items = append(items, StoreItem(j, lineSize))
		}
		pend, _, err := st.Commit(ctx, items)
		if err != nil {
			st.Close()
			return err
		}
		if err := st.Ack(ctx, pend); err != nil {
			st.Close()
			return err
		}
	}
	return st.Close()
}

// CheckInsert is the pipeline's dedup step for one batch: which ids are stored (a read
// transaction), then one commit of the batch (new ones inserted with their records and one
// outbox entry, the rest only their URLs) that also acknowledges the previous batch's lines,
// as the pipeline does once they are written. It returns the batch's lines to acknowledge next
// time and how many were new; pass the last ones to Store.Ack when done.
func CheckInsert(ctx context.Context, st *store.Store, prev []store.Pending, items []store.Item) ([]store.Pending, int, error) {
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	seen, err := st.Seen(ctx, ids...)
	if err != nil {
		return prev, 0, err
	}
	pend, _, err := st.CommitAfter(ctx, prev, items)
	if err != nil {
		return prev, 0, err
	}
	return pend, len(items) - len(seen), nil
}

// FileSize is the size of path in bytes, 0 when unreadable.
func FileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
