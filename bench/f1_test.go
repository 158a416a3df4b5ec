package main

import (
	"math"
	"testing"
)

func TestBodyF1IgnoresWhiteSpaceAndChargesMissingTextByItsLength(t *testing.T) {
	for _, c := range []struct {
		want, got string
		f1        float64
	}{
		{"第一段。\n\n第二段。", "第一段。 第二段。", 1},
		{"", "", 1},
		{"甲", "甲", 1},
		{"abcd", "", 0},
		{"abcde", "abc", 2 * 1 * 0.5 / 1.5}, // 2 of 4 bigrams found, all 2 given are right
	} {
		if got := bigramF1(c.want, c.got); math.Abs(got-c.f1) > 1e-9 {
			t.Errorf("bigramF1(%q, %q) = %v, want %v", c.want, c.got, got, c.f1)
		}
	}
}
