// Repairs of damaged markup that would otherwise lose the whole page.

package generic

import "bytes"

// RepairTitle closes a <title> that is never closed. The parser reads a title's content as
// raw text up to </title>, so a page whose head lost that tag (an archive's cut, a template's
// typo such as "</tit") becomes one long title with an empty body. The title is taken to end
// where the next tag starts. Pages whose <title> is closed are returned as they are.
func RepairTitle(b []byte) []byte {
	lower := bytes.ToLower(b)
	open := bytes.Index(lower, []byte("<title"))
	if open < 0 || bytes.Contains(lower[open:], []byte("</title")) {
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
