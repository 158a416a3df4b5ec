package store

import (
	"context"
	"testing"
	"time"
)

func TestHealthReportsReplaceTheSourcesLastOne(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	if err := s.SetHealth(ctx, map[string][]byte{"em": []byte("1"), "sina": []byte("2")}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetHealth(ctx, map[string][]byte{"em": []byte("3")}); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	if err := s.Health(ctx, func(src string, v []byte) error { got[src] = string(v); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["em"] != "3" || got["sina"] != "2" {
		t.Errorf("reports %v; want em 3 (the latest), sina 2", got)
	}
}

func TestCountSinceCountsIDsFirstSeenInTheWindowBySource(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	start := time.Now().Add(-time.Second)
	if _, _, err := s.Commit(ctx, []Item{{ID: "NW1", URL: "http://a/1", Source: "a", Line: []byte(`{}`)},
		{ID: "NW2", URL: "http://a/2", Source: "a", Line: []byte(`{}`)}, {ID: "NW3", URL: "http://b/3", Source: "b", Line: []byte(`{}`)}}); err != nil {
		t.Fatal(err)
	}
	n, err := s.CountSince(ctx, start)
	if err != nil || n["a"] != 2 || n["b"] != 1 {
		t.Errorf("since the commit: %v, %v", n, err)
	}
	if n, _ := s.CountSince(ctx, time.Now().Add(time.Hour)); len(n) != 0 {
		t.Errorf("since an hour ahead: %v", n)
	}
}
