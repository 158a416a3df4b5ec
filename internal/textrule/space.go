package textrule

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// IsSpace reports the characters that separate words: ASCII white space and every Unicode space,
// the ideographic space (U+3000) that opens most Chinese paragraphs and the no-break space
// included.
func IsSpace(r rune) bool { return unicode.IsSpace(r) }

// IsInvisible reports the zero-width characters editors leave between words (U+200B ZERO WIDTH
// SPACE, U+2060 WORD JOINER, U+FEFF ZERO WIDTH NO-BREAK SPACE). They separate nothing a reader
// sees, so they are dropped, not turned into a space: "公司\u200b公告" is "公司公告".
func IsInvisible(r rune) bool { return r == '\u200b' || r == '\u2060' || r == '\ufeff' }

// Collapse trims s and turns each run of white space inside it into one ASCII space, dropping
// invisible characters: the one rule for titles, sources, summaries and body lines.
func Collapse(s string) string {
	// Most lines are collapsed already, and the extractors collapse the same text several times
	// over (a block, then its lines): returning s then costs nothing, where building it again
	// cost about three copies of it (the buffer's doublings and the string).
	if collapsed(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s)) // never longer than s: a space stands for at least one byte of white space
	space := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case IsSpace(r):
			space = true
		case IsInvisible(r):
		default:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// collapsed reports whether Collapse(s) is s: no invisible character, and no white space but
// single ASCII spaces between words.
func collapsed(s string) bool {
	prevSpace := true // white space at the start is trimmed
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case IsInvisible(r):
			return false
		case IsSpace(r):
			if r != ' ' || prevSpace {
				return false
			}
			prevSpace = true
		default:
			prevSpace = false
		}
		i += n
	}
	return !prevSpace || s == ""
}

// Paragrapher builds paragraphs from text streamed out of a document tree: white space collapses
// as in Collapse, and a paragraph ends only where the caller says (Break), so inline markup
// inside a word does not split it.
type Paragrapher struct {
	// LineBreaks makes a line feed in the text end the paragraph, for text written one paragraph
	// a line (Markdown, or a library's output that puts each block on its own line). In HTML a
	// line feed is only white space.
	LineBreaks bool
	// Emit receives each finished paragraph, never empty.
	Emit func(p string)

	buf   []byte
	space bool // white space seen since the last character written
}

// Text appends s to the current paragraph.
func (p *Paragrapher) Text(s string) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\n' && p.LineBreaks:
			p.Break()
		case IsSpace(r):
			p.space = true
		case IsInvisible(r):
		default:
			if p.space && len(p.buf) > 0 {
				p.buf = append(p.buf, ' ')
			}
			p.space = false
			p.buf = append(p.buf, s[i:i+n]...)
		}
		i += n
	}
}

// Space separates what comes next from what came before without ending the paragraph (table
// cells side by side).
func (p *Paragrapher) Space() { p.space = true }

// Break ends the current paragraph and hands it to Emit, if it holds any text.
func (p *Paragrapher) Break() {
	p.space = false
	if len(p.buf) == 0 {
		return
	}
	s := string(p.buf)
	if cap(p.buf) > 64<<10 {
		// A paragraph the size of a page (a pasted text without breaks): its buffer, grown to up
		// to twice the text, would stay held beside the copy until the whole body is read.
		p.buf = nil
	} else {
		p.buf = p.buf[:0]
	}
	if p.Emit != nil {
		p.Emit(s)
	}
}

// JoinParagraphs writes paragraphs the way every record's body is written: a blank line between.
func JoinParagraphs(paras []string) string { return strings.Join(paras, "\n\n") }
