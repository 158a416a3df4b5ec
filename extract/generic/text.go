// Small readers of the text under a node.

package generic

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// textUpTo is the text under n when it is at most limit bytes long; false when longer (a
// wrapper of the whole article is no credit line, and its text need not be built to say so).
func textUpTo(n *html.Node, limit int) (string, bool) {
	return textUpToSkipping(n, limit, nil)
}

// textUpToSkipping is textUpTo leaving out the elements skip reports (nil: none).
func textUpToSkipping(n *html.Node, limit int, skip func(*html.Node) bool) (string, bool) {
	var b strings.Builder
	var walk func(*html.Node) bool
	walk = func(n *html.Node) bool {
		switch {
		case n.Type == html.TextNode:
			if b.Len()+len(n.Data) > limit {
				return false
			}
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && skip != nil && skip(n):
			return true
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if !walk(c) {
				return false
			}
		}
		return true
	}
	if !walk(n) {
		return "", false
	}
	return b.String(), true
}

// nonLinkText is the text under n outside links.
func nonLinkText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && n.Data == "a" {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func nodeText(n *html.Node, b *strings.Builder) {
	if n.Type == html.TextNode {
		b.WriteString(n.Data)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		nodeText(c, b)
	}
}

// runePrefix is s cut to at most n runes.
func runePrefix(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

func runeCount(paras []string) int {
	n := 0
	for _, p := range paras {
		n += utf8.RuneCountInString(p)
	}
	return n
}
