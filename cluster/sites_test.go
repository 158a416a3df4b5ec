package cluster

import (
	"bytes"
	"context"
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
