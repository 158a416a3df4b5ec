package crawler

import (
	"testing"
	"time"
)

func TestARecheckPolicyStepsThroughItsDelaysAndStopsAtTheWindow(t *testing.T) {
	p := RecheckPolicy{Within: 48 * time.Hour, Every: []time.Duration{30 * time.Minute, 2 * time.Hour, 8 * time.Hour}}
	since := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	var got []string
	for step := 0; ; step++ {
		at, ok := p.Next(since, step)
		if !ok {
			break
		}
		got = append(got, at.Sub(since).String())
	}
	// 30m, then +2h, then +8h repeating while within 48h.
	want := []string{"30m0s", "2h30m0s", "10h30m0s", "18h30m0s", "26h30m0s", "34h30m0s", "42h30m0s"}
	if len(got) != len(want) {
		t.Fatalf("steps %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("step %d at %s, want %s", i, got[i], want[i])
		}
	}
	if (RecheckPolicy{}).On() {
		t.Error("the zero policy rechecks")
	}
}

func TestARecheckPolicyOutOfBoundsIsRefused(t *testing.T) {
	for _, p := range []RecheckPolicy{
		{Within: time.Hour},
		{Every: []time.Duration{time.Hour}},
		{Within: time.Hour, Every: []time.Duration{2 * time.Hour}},
		{Within: time.Hour, Every: []time.Duration{time.Second}},
		{Within: 24 * time.Hour, Every: []time.Duration{2 * time.Hour, time.Hour}},
		{Within: 100 * 24 * time.Hour, Every: []time.Duration{time.Hour}},
	} {
		if p.validate() == nil {
			t.Errorf("%+v accepted", p)
		}
	}
	if err := (RecheckPolicy{Within: 48 * time.Hour, Every: []time.Duration{30 * time.Minute, 2 * time.Hour}}).validate(); err != nil {
		t.Error(err)
	}
}
