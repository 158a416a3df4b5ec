package cluster

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/newsmill/newsmill/testkit/natstest"
)

func TestEachRevisionOfAnIdIsOneMessageAndTheSinkResumesAfterARevisionLine(t *testing.T) {
	c := connect(t, natstest.Start(t), time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	line := func(id string, rev int, title string) []byte {
		return []byte(`{"id":"` + id + `","title":"` + title + `","revision":` + string(rune('0'+rev)) + `}`)
	}
	if _, rev, found, err := c.LatestRecord(ctx, "NWA"); found || err != nil || rev != 0 {
		t.Fatalf("latest of an unknown id: %d %v %v", rev, found, err)
	}
	if dup, err := c.Publish(ctx, "NWA", line("NWA", 1, "a"), "s"); dup || err != nil {
		t.Fatal(dup, err)
	}
	if l, rev, found, err := c.LatestRecord(ctx, "NWA"); !found || err != nil || rev != 1 || !strings.Contains(string(l), `"a"`) {
		t.Fatalf("latest after the first: %s %d %v %v", l, rev, found, err)
	}
	out := t.TempDir()
	if st, err := c.Sink(ctx, out, 200*time.Millisecond); err != nil || st.Lines != 1 {
		t.Fatalf("first sink: %d lines, %v", st.Lines, err)
	}
	if dup, err := c.PublishRevision(ctx, "NWA", 2, line("NWA", 2, "a2"), "s"); dup || err != nil {
		t.Fatal(dup, err)
	}
	// Two workers seeing the same change: the second is refused by the server.
	if dup, err := c.PublishRevision(ctx, "NWA", 2, line("NWA", 2, "a2 again"), "s"); !dup || err != nil {
		t.Fatalf("second revision 2: dup %v, %v", dup, err)
	}
	if dup, err := c.PublishRevision(ctx, "NWA", 3, line("NWA", 3, "a3"), "s"); dup || err != nil {
		t.Fatal(dup, err)
	}
	if l, rev, _, _ := c.LatestRecord(ctx, "NWA"); rev != 3 || !strings.Contains(string(l), `"a3"`) {
		t.Errorf("latest: %s revision %d, want 3", l, rev)
	}
	// The sink's last line is now a revision: it must find where it was from it.
	if st, err := c.Sink(ctx, out, 200*time.Millisecond); err != nil || st.Lines != 2 {
		t.Fatalf("second sink: %d lines, %v", st.Lines, err)
	}
	if dup, err := c.Publish(ctx, "NWB", line("NWB", 1, "b"), "s"); dup || err != nil {
		t.Fatal(dup, err)
	}
	if st, err := c.Sink(ctx, out, 200*time.Millisecond); err != nil || st.Lines != 1 {
		t.Fatalf("third sink: %d lines (%v), want only NWB", st.Lines, err)
	}
	if got := strings.Join(readLines(t, out), ","); got != "NWA,NWA,NWA,NWB" {
		t.Errorf("files hold %s", got)
	}
	if _, err := c.Forget(ctx, "NWA"); err != nil {
		t.Fatal(err)
	}
	if _, _, found, _ := c.LatestRecord(ctx, "NWA"); found {
		t.Error("a forgotten id kept a revision")
	}
}
