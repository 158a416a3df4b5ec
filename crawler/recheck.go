package crawler

import (
	"fmt"
	"time"
)

// RecheckPolicy is a source's recheck window: its new articles are fetched again at each delay
// of Every after they were first stored (the last delay repeating), until Within has passed,
// to catch an article that changes after it is published. The zero policy rechecks nothing.
type RecheckPolicy struct {
	Within time.Duration   `yaml:"within"`
	Every  []time.Duration `yaml:"every"`
}

// Bounds of a recheck policy.
const (
	MaxRecheckWithin = 90 * 24 * time.Hour
	MinRecheckEvery  = time.Minute
	MaxRecheckSteps  = 64
)

// On says whether the policy rechecks anything.
func (p RecheckPolicy) On() bool { return p.Within > 0 && len(p.Every) > 0 }

// First is the delay of the first recheck after an article was stored.
func (p RecheckPolicy) First() time.Duration { return p.Every[0] }

// Next is when the recheck after step checks (0 = none done yet) is due for an article first
// stored at since; ok is false once that falls past the window.
func (p RecheckPolicy) Next(since time.Time, step int) (time.Time, bool) {
	if !p.On() {
		return time.Time{}, false
	}
	at := since
	for i := 0; i <= step; i++ {
		at = at.Add(p.Every[min(i, len(p.Every)-1)])
	}
	return at, !at.After(since.Add(p.Within))
}

func (p RecheckPolicy) validate() error {
	if p.Within == 0 && len(p.Every) == 0 {
		return nil
	}
	if p.Within <= 0 || p.Within > MaxRecheckWithin {
		return fmt.Errorf("within must be between 1m and %s, got %s", MaxRecheckWithin, p.Within)
	}
	if len(p.Every) == 0 || len(p.Every) > MaxRecheckSteps {
		return fmt.Errorf("every must list 1 to %d delays", MaxRecheckSteps)
	}
	for i, d := range p.Every {
		if d < MinRecheckEvery || d > p.Within {
			return fmt.Errorf("every[%d]: %s must be at least %s and within %s", i, d, MinRecheckEvery, p.Within)
		}
		if i > 0 && d < p.Every[i-1] {
			return fmt.Errorf("every[%d]: %s is shorter than the delay before it; list them from the shortest", i, d)
		}
	}
	return nil
}
