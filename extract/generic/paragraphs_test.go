package generic

import (
	"slices"
	"testing"

	"golang.org/x/net/html"
)

// Main-text libraries build their output with nodes that carry a tag name and no atom; their
// paragraphs must still be paragraphs.
func TestGenericParagraphsBreakAtHandBuiltBlocksToo(t *testing.T) {
	div := &html.Node{Type: html.ElementNode, Data: "div"}
	for _, text := range []string{"Don't just believe them.", "Which is not to say"} {
		p := &html.Node{Type: html.ElementNode, Data: "p"}
		p.AppendChild(&html.Node{Type: html.TextNode, Data: text})
		div.AppendChild(p)
	}
	paras, _ := paragraphs([]*html.Node{div}, "")
	if want := []string{"Don't just believe them.", "Which is not to say"}; !slices.Equal(paras, want) {
		t.Fatalf("paragraphs %q, want %q", paras, want)
	}
}
