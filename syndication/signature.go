// Package syndication finds republished copies of one story across sources: the same article on
// Eastmoney, Sina, 163 and a mirror, with other chrome, a changed headline, a cut paragraph or an
// editor's line. Each text gets a MinHash signature over its shingles (characters for Chinese,
// words otherwise); an LSH index over the signatures of a time window finds the earlier records a
// new one may copy, and a record joins the cluster of the most similar one that passes the checks
// in SameStory. It knows no markup and no storage: it reads titles and bodies, and hands out
// signatures as opaque bytes for the store to keep.
package syndication

import (
	"encoding/binary"
	"hash/fnv"
	"math/bits"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The signature's shape. 64 hashes estimate a Jaccard similarity to about ±0.06; 16 bands of 4
// rows make a pair a candidate with probability 1-(1-s⁴)¹⁶: 0.64 at s = 0.5, 0.99 at 0.7, over
// 0.9999 at 0.84 (the least similarity of a copy on the labelled set, eval_test.go), 0.03 at 0.2.
const (
	NumHashes = 64
	Bands     = 16
	Rows      = NumHashes / Bands
)

// Shingle sizes: three characters of Chinese text (two are too common: 公司, 市场), three words of
// other text.
const (
	charShingle = 3
	wordShingle = 3
)

// Signature is what the index keeps of a text.
type Signature struct {
	// Min holds the least hash of the text's shingles under each of NumHashes hash functions.
	Min [NumHashes]uint32
	// Numbers are the hashes of the distinct numbers written in the body (40, 6.3565, 2021),
	// sorted: template items that differ only in a figure have almost every shingle in common.
	Numbers []uint32
	// Shingles is how many distinct shingles the text has; 0 means it had too little text to
	// compare.
	Shingles int
}

// seeds make the NumHashes hash functions from one shingle hash, multiply-shift style
// ((a·h + b) >> 32, a odd): one multiplication per function and shingle. Fixed, so signatures
// written by one run compare with the next run's.
var seedA, seedB = func() (a, b [NumHashes]uint64) {
	x := uint64(0x9e3779b97f4a7c15)
	for i := range a {
		x = splitmix(x)
		a[i] = x | 1
		x = splitmix(x)
		b[i] = x
	}
	return a, b
}()

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Sign computes the signature of a record from its body, without credit lines (see storyText);
// the title counts only for a record with no body text left. A republisher's new headline is the
// commonest edit and half of a flash item's text: measured on the labelled set, leaving it out
// kept every such copy and parted no story. Numbers come from the same text.
func Sign(title, body string) Signature {
	var sig Signature
	for i := range sig.Min {
		sig.Min[i] = ^uint32(0)
	}
	text := storyText(body)
	if strings.TrimSpace(text) == "" {
		text = title
	}
	set := shingles(text, nil)
	sig.Shingles = len(set)
	for _, h := range set {
		for i := range sig.Min {
			if v := uint32((seedA[i]*h + seedB[i]) >> 32); v < sig.Min[i] {
				sig.Min[i] = v
			}
		}
	}
	sig.Numbers = numbers(text)
	return sig
}

// creditWords mark a short paragraph that credits or disclaims rather than tells: what
// republishers add (本文转载自…, 责任编辑：…, 来源：…) and extractors do not always drop.
var creditWords = []string{"转载", "版权", "编辑", "来源:", "来源：", "声明", "审核", "作者:", "作者：", "原标题"}

func creditLine(p string) bool {
	for _, w := range creditWords {
		if strings.Contains(p, w) {
			return true
		}
	}
	return false
}

// storyText is the body without its credit lines (paragraphs under 60 characters naming one).
func storyText(body string) string {
	paras := strings.Split(body, "\n\n")
	out := paras[:0:0]
	for _, p := range paras {
		if utf8.RuneCountInString(p) < 60 && creditLine(p) {
			continue
		}
		out = append(out, p)
	}
	return strings.Join(out, "\n\n")
}

// Similarity estimates the Jaccard similarity of the two texts' shingle sets.
func (s Signature) Similarity(o Signature) float64 {
	if s.Shingles == 0 || o.Shingles == 0 {
		return 0
	}
	same := 0
	for i := range s.Min {
		if s.Min[i] == o.Min[i] {
			same++
		}
	}
	return float64(same) / NumHashes
}

// bandKeys are the LSH keys of the signature: one per band, the band's index mixed in so equal
// rows of different bands do not meet.
func (s Signature) bandKeys() [Bands]uint64 {
	var out [Bands]uint64
	for b := range out {
		h := uint64(b+1) * 0x9e3779b97f4a7c15
		for r := 0; r < Rows; r++ {
			h = splitmix(h ^ uint64(s.Min[b*Rows+r]))
		}
		out[b] = h
	}
	return out
}

// BandKeys are the signature's LSH keys, for an index kept elsewhere (cluster mode's KV bucket):
// two signatures are candidates when any key is equal.
func BandKeys(s Signature) [Bands]uint64 { return s.bandKeys() }

// normalize folds full-width forms to ASCII (（ to (, ４０ to 40: sites mix both) and lower-cases.
func normalize(r rune) rune {
	switch {
	case r >= 'A' && r <= 'Z':
		return r + 'a' - 'A'
	case r < 0x80 || r >= 0x4E00 && r <= 0x9FFF: // ASCII and the common Han block have no case
		return r
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	}
	return unicode.ToLower(r)
}

// isWord reports whether r is part of a word: a letter or a digit.
func isWord(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
		return true
	case r < 0x80:
		return false
	case r >= 0x4E00 && r <= 0x9FFF:
		return true
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// shingles returns the distinct shingle hashes of the text, appended to buf. Text that is mostly
// Han is shingled by characters (punctuation and spaces dropped, so a reflowed paragraph or other
// quotes change nothing), other text by words.
func shingles(text string, buf []uint64) []uint64 {
	units := make([]uint64, 0, len(text)/2)
	han, letters := 0, 0
	for _, r := range text {
		r = normalize(r)
		if isWord(r) {
			letters++
			if r >= 0x4E00 && r <= 0x9FFF || r >= 0x2E80 && unicode.Is(unicode.Han, r) {
				han++
			}
		}
	}
	out := buf[:0]
	if letters == 0 {
		return out
	}
	k := wordShingle
	if han*10 >= letters*3 {
		// Characters: each rune is a unit.
		k = charShingle
		for _, r := range text {
			if r = normalize(r); isWord(r) {
				units = append(units, uint64(r))
			}
		}
	} else {
		// Words: each run of letters and digits is a unit, hashed FNV-1a as it is read.
		const offset, prime = 14695981039346656037, 1099511628211
		h, in := uint64(offset), false
		for _, r := range text {
			if r = normalize(r); isWord(r) {
				h = (h ^ uint64(r)) * prime
				in = true
			} else if in {
				units, h, in = append(units, h), offset, false
			}
		}
		if in {
			units = append(units, h)
		}
	}
	k = min(k, len(units))
	for i := 0; i+k <= len(units); i++ {
		h := uint64(k)
		for _, u := range units[i : i+k] {
			h = splitmix(h ^ u)
		}
		out = append(out, h)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// numbers hashes the distinct numbers of the text: runs of digits with an optional decimal part,
// full-width digits folded.
func numbers(text string) []uint32 {
	var out []uint32
	var cur []byte
	end := func() {
		for len(cur) > 0 && cur[len(cur)-1] == '.' {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			h := fnv.New32a()
			h.Write(cur)
			out = append(out, h.Sum32())
		}
		cur = cur[:0]
	}
	for _, r := range text {
		r = normalize(r)
		switch {
		case r >= '0' && r <= '9':
			cur = append(cur, byte(r))
		case r == '.' && len(cur) > 0 && cur[len(cur)-1] != '.':
			cur = append(cur, '.')
		default:
			end()
		}
	}
	end()
	slices.Sort(out)
	return slices.Compact(out)
}

// numbersAgree reports whether the numbers of the text with fewer of them are nearly all in the
// other's: a copy cut short keeps a subset of the figures, a template item of another day or
// amount has its own. Up to one in twenty may be missing (a date line a republisher adds, a figure
// rounded), none of fewer than twenty: a short item is its figures.
func numbersAgree(a, b []uint32) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	missing := 0
	for _, n := range a {
		if _, ok := slices.BinarySearch(b, n); !ok {
			missing++
		}
	}
	return missing <= len(a)/20
}

// MarshalBinary encodes the signature for the store: the hashes, then the shingle count and the
// numbers, little-endian; the first byte is the encoding's version.
func (s Signature) MarshalBinary() ([]byte, error) {
	out := make([]byte, 0, 1+4*NumHashes+4+4+4*len(s.Numbers))
	out = append(out, 1)
	for _, v := range s.Min {
		out = binary.LittleEndian.AppendUint32(out, v)
	}
	out = binary.LittleEndian.AppendUint32(out, uint32(s.Shingles))
	out = binary.LittleEndian.AppendUint32(out, uint32(len(s.Numbers)))
	for _, v := range s.Numbers {
		out = binary.LittleEndian.AppendUint32(out, v)
	}
	return out, nil
}

// UnmarshalBinary decodes what MarshalBinary wrote.
func (s *Signature) UnmarshalBinary(b []byte) error {
	if len(b) < 1+4*NumHashes+8 || b[0] != 1 {
		return ErrBadSignature
	}
	b = b[1:]
	for i := range s.Min {
		s.Min[i] = binary.LittleEndian.Uint32(b)
		b = b[4:]
	}
	s.Shingles = int(binary.LittleEndian.Uint32(b))
	n := int(binary.LittleEndian.Uint32(b[4:]))
	b = b[8:]
	if len(b) != 4*n {
		return ErrBadSignature
	}
	s.Numbers = make([]uint32, n)
	for i := range s.Numbers {
		s.Numbers[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return nil
}

// hamming is the SimHash distance, kept for the measurement that chose MinHash (eval_test.go).
func hamming(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// simHash is the 64-bit SimHash of the text's shingles, each weighing one; the measurement
// compares it with MinHash on the same labelled pairs.
func simHash(title, body string) uint64 {
	var v [64]int
	text := storyText(body)
	if strings.TrimSpace(text) == "" {
		text = title
	}
	for _, h := range shingles(text, nil) {
		h = splitmix(h)
		for i := range v {
			if h&(1<<i) != 0 {
				v[i]++
			} else {
				v[i]--
			}
		}
	}
	var out uint64
	for i, c := range v {
		if c > 0 {
			out |= 1 << i
		}
	}
	return out
}
