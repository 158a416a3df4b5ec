package sitegen

import (
	"bytes"
	"io"
	"strings"
)

// Shape is a kind of near-cap article page: what its padding is made of decides how big its
// parse tree and its extraction's working copies are. Memory benchmarks run every one of Shapes.
type Shape struct {
	Name string
	// Block is repeated to pad the page.
	Block string
	// Inside puts the padding inside the article's last paragraph (more text); otherwise its
	// blocks stand beside the paragraphs.
	Inside bool
}

// Shapes are the page shapes memory is measured on.
var Shapes = []Shape{
	// Short paragraphs: one element and one text node per 60 bytes, the most nodes per byte.
	{Name: "many-p", Block: "<p>　　市场消息称今日股指震荡上行。</p>\n"},
	// Blocks of nested elements, the shape of a page built from layout divs.
	{Name: "nested-div-span", Block: `<div class="c"><span>市场消息称</span><div><span>今日股指</span><span>震荡上行。</span></div></div>` + "\n"},
	// One paragraph of text: few nodes, the text itself is the weight.
	{Name: "plain-text", Block: "市场消息称今日股指震荡上行。", Inside: true},
}

// Pad returns a copy of the post page b padded to about size bytes in the shape: the padding
// goes among (or inside the last of) the article's own paragraphs, so the page's record is
// about that size too.
func (s Shape) Pad(b []byte, size int) []byte {
	var out bytes.Buffer
	out.Grow(size + len(s.Block))
	_ = s.WritePadded(&out, b, size)
	return out.Bytes()
}

// WritePadded writes what Pad returns without holding it: a server of near-cap pages that built
// each page in memory would itself grow by a page per request in flight (and a child process
// started from it inherits that high-water mark in its ru_maxrss).
func (s Shape) WritePadded(w io.Writer, b []byte, size int) error {
	n := max(0, size-len(b)) / len(s.Block)
	// The article's own paragraphs come last: the head's og:description spills a copy first.
	at := bytes.LastIndex(b, []byte("<p>　　"))
	if at < 0 {
		at = len(b)
	} else if s.Inside {
		at += len("<p>　　")
	}
	if _, err := w.Write(b[:at]); err != nil {
		return err
	}
	const perChunk = 1024
	chunk := []byte(strings.Repeat(s.Block, perChunk))
	for ; n > 0; n -= min(n, perChunk) {
		if _, err := w.Write(chunk[:min(n, perChunk)*len(s.Block)]); err != nil {
			return err
		}
	}
	_, err := w.Write(b[at:])
	return err
}
