package cluster

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/newsmill/newsmill/testkit/natstest"
)

func TestASitesLearnedStateIsSharedByEveryWorkerAndOutlivesTheConnection(t *testing.T) {
	ctx := context.Background()
	srv := natstest.Start(t)
	one, err := connect(t, srv, time.Second).Sites(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := one.LoadSite(ctx, "127.0.0.1:8931"); err != nil || got != nil {
		t.Fatalf("a host never saved gives %q, %v; want nothing", got, err)
	}
	state := []byte("opaque\x00state")
	if err := one.SaveSite(ctx, "127.0.0.1:8931", state); err != nil {
		t.Fatal(err)
	}
	other, err := connect(t, srv, time.Second).Sites(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := other.LoadSite(ctx, "127.0.0.1:8931"); err != nil || !bytes.Equal(got, state) {
		t.Fatalf("another worker reads %q, %v; want the state saved", got, err)
	}
	if err := other.SaveSite(ctx, "127.0.0.1:8931", nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := one.LoadSite(ctx, "127.0.0.1:8931"); got != nil {
		t.Errorf("an empty state left %q behind", got)
	}
	if err := one.SaveSite(ctx, "never.example", nil); err != nil {
		t.Errorf("deleting a host never saved: %v", err)
	}
}

func TestWorkersUpdatingASiteAtOnceLoseNoneOfEachOthersChanges(t *testing.T) {
	ctx := context.Background()
	srv := natstest.Start(t)
	var stores []*SiteStore
	for range 2 {
		s, err := connect(t, srv, time.Second).Sites(ctx)
		if err != nil {
			t.Fatal(err)
		}
		stores = append(stores, s)
	}
	const each = 20
	var wg sync.WaitGroup
	for _, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if _, err := s.UpdateSite(ctx, "127.0.0.1:8931", func(cur []byte) []byte { return append(cur, 'x') }); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	got, err := stores[0].LoadSite(ctx, "127.0.0.1:8931")
	if err != nil || len(got) != 2*each {
		t.Errorf("the site holds %d of the %d changes (err %v)", len(got), 2*each, err)
	}
}
