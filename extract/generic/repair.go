// Repairs of damaged markup that would otherwise lose the whole page.

package generic

import "bytes"

// RepairTitle closes a <title> that is never closed. The parser reads a title's content as
// raw text up to </title>, so a page whose head lost that tag (an archive's cut, a template's
// typo such as "</tit") becomes one long title with an empty body. The title is taken to end
// where the next tag starts. Pages whose <title> is closed are returned as they are, uncopied:
// this runs on every page the generic path and site rules read.
func RepairTitle(b []byte) []byte {
	open := indexASCIIFold(b, "<title")
	if open < 0 || indexASCIIFold(b[open:], "</title") >= 0 {
		return b
	}
	gt := bytes.IndexByte(b[open:], '>')
	if gt < 0 {
		return b
	}
	start := open + gt + 1
	end := bytes.IndexByte(b[start:], '<')
	if end < 0 {
		return b
	}
	end += start
	out := make([]byte, 0, len(b)+8)
	out = append(out, b[:end]...)
	out = append(out, "</title>"...)
	return append(out, b[end:]...)
}

// indexASCIIFold is the index of the first pat in b, ASCII letters matched in either case, or
// -1. pat starts with '<' and is lower case. Folding only ASCII keeps offsets into b exact (a
// Unicode lower-casing of the page can change its length) and copies nothing.
func indexASCIIFold(b []byte, pat string) int {
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], '<')
		if j < 0 {
			return -1
		}
		i += j
		if len(b)-i < len(pat) {
			return -1
		}
		if asciiEqualFold(b[i:i+len(pat)], pat) {
			return i
		}
		i++
	}
}

func asciiEqualFold(b []byte, lower string) bool {
	for k := range len(lower) {
		c := b[k]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[k] {
			return false
		}
	}
	return true
}
