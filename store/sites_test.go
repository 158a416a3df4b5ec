package store

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

func TestASitesStateOutlivesTheProcessAndAnEmptyOneDeletesIt(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	if got, err := s.LoadSite(ctx, "news.example.cn"); err != nil || got != nil {
		t.Fatalf("a host never saved gives %q, %v; want nothing", got, err)
	}
	state := []byte("opaque\x00bytes of the learner")
	if err := s.SaveSite(ctx, "news.example.cn", state); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err := Open(ctx, path, Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.LoadSite(ctx, "news.example.cn")
	if err != nil || !bytes.Equal(got, state) {
		t.Fatalf("reopened store gives %q, %v; want the bytes saved", got, err)
	}
	if err := s.SaveSite(ctx, "news.example.cn", nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.LoadSite(ctx, "news.example.cn"); got != nil {
		t.Errorf("an empty state left %q behind", got)
	}
}

func TestASiteStateWithoutAHostOrOverTheBoundIsRefusedAndNothingIsWritten(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	if err := s.SaveSite(ctx, "", []byte("x")); !errors.Is(err, ErrEmptyHost) {
		t.Errorf("no host: %v, want ErrEmptyHost", err)
	}
	if err := s.SaveSite(ctx, "big.example", make([]byte, maxSiteState+1)); !errors.Is(err, ErrSiteTooBig) {
		t.Errorf("too big: %v, want ErrSiteTooBig", err)
	}
	if got, _ := s.LoadSite(ctx, "big.example"); got != nil {
		t.Errorf("a refused state was written (%d bytes)", len(got))
	}
}
