package learn

import (
	"hash/fnv"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// A block is an element that holds text and no other block: a paragraph, a list item, a cell, a
// heading, a <div> of text. Its print is its place in the tree (the tags and first class names
// of its ancestors) and its text, so the same sentence printed as a teaser on a listing and as
// the body of its article are two blocks, and the site's statement under every article one.
type block struct {
	node  *html.Node
	print uint64
}

// maxText is how much of a block's text goes into its print: enough to tell blocks apart.
const maxText = 2000

// leafBlocks are the page's text blocks inside <body>, in document order.
func leafBlocks(root *html.Node) []block {
	var out []block
	var walk func(n *html.Node, trail uint64) bool
	// walk reports whether n holds a block, so that its parent is not one. trail is the print
	// of the path to n, built step by step rather than as a string per element.
	walk = func(n *html.Node, trail uint64) bool {
		if n.Type != html.ElementNode && n.Type != html.DocumentNode {
			return false
		}
		switch n.DataAtom {
		case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Svg, atom.Head:
			return false
		}
		here := trail
		if n.Type == html.ElementNode {
			here = extend(trail, step(n))
		}
		inner := false
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if walk(c, here) {
				inner = true
			}
		}
		if inner || n.Type != html.ElementNode || !isBlock(n) {
			return inner
		}
		text := textOf(n)
		if text == "" {
			return false
		}
		out = append(out, block{node: n, print: extend(here, text)})
		return true
	}
	walk(root, fnvOffset)
	return out
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// extend is the FNV-1a print of a path's print followed by a separator and s.
func extend(h uint64, s string) uint64 {
	h ^= '/'
	h *= fnvPrime
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// isBlock reports the elements that can be a block of text; inline ones (links, spans, <b>)
// belong to the block around them.
func isBlock(n *html.Node) bool {
	switch n.DataAtom {
	case atom.P, atom.Div, atom.Li, atom.Dd, atom.Dt, atom.Td, atom.Th, atom.H1, atom.H2, atom.H3,
		atom.H4, atom.H5, atom.H6, atom.Blockquote, atom.Pre, atom.Section, atom.Article, atom.Aside,
		atom.Header, atom.Footer, atom.Nav, atom.Figcaption, atom.Caption, atom.Address, atom.Center,
		atom.Form, atom.Table, atom.Ul, atom.Ol, atom.Dl, atom.Main, atom.Body:
		return true
	}
	return false
}

// step names an element in a trail: its tag and first class, digits dropped (a class that numbers
// the post, "post-1234", is the same place on every page).
func step(n *html.Node) string {
	for _, a := range n.Attr {
		if a.Key == "class" {
			if f := strings.Fields(a.Val); len(f) > 0 {
				return n.Data + "." + strings.Map(func(r rune) rune {
					if unicode.IsDigit(r) {
						return -1
					}
					return r
				}, f[0])
			}
			break
		}
	}
	return n.Data
}

// textOf is the text under n with white space collapsed, cut at maxText bytes.
func textOf(n *html.Node) string {
	var b strings.Builder
	space := false
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if b.Len() >= maxText {
			return
		}
		switch n.Type {
		case html.TextNode:
			for _, r := range n.Data {
				if unicode.IsSpace(r) || r == '\u3000' {
					space = true
					continue
				}
				if space && b.Len() > 0 {
					b.WriteByte(' ')
				}
				space = false
				b.WriteRune(r)
			}
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Noscript:
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func hashString(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}
