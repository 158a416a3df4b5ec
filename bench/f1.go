package main

import "unicode"

// bigramF1 is the body score of the Performance table: F1 over the character bigrams of the two
// texts with all white space removed, so that paragraphing and spacing cost nothing and a missing
// or extra sentence costs its length. A one-character text is its one character.
func bigramF1(want, got string) float64 {
	a, b := bigrams(want), bigrams(got)
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	na, nb, common := 0, 0, 0
	for _, n := range a {
		na += n
	}
	for k, n := range b {
		nb += n
		common += min(n, a[k])
	}
	if common == 0 {
		return 0
	}
	p, r := float64(common)/float64(nb), float64(common)/float64(na)
	return 2 * p * r / (p + r)
}

func bigrams(s string) map[[2]rune]int {
	var rs []rune
	for _, r := range s {
		if !unicode.IsSpace(r) {
			rs = append(rs, r)
		}
	}
	out := map[[2]rune]int{}
	if len(rs) == 1 {
		out[[2]rune{rs[0], 0}] = 1
	}
	for i := 0; i+1 < len(rs); i++ {
		out[[2]rune{rs[i], rs[i+1]}]++
	}
	return out
}
