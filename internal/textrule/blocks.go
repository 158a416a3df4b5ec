package textrule

import (
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// IsBlock reports the elements that end a paragraph before and after them. Everything else is
// inline: its text runs on in the paragraph around it.
func IsBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Br, atom.Li, atom.Tr, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5,
		atom.H6, atom.Table, atom.Ul, atom.Ol, atom.Dl, atom.Blockquote, atom.Section, atom.Article,
		atom.Pre, atom.Hr, atom.Center, atom.Dd, atom.Dt, atom.Header, atom.Footer, atom.Aside,
		atom.Nav, atom.Main, atom.Figure, atom.Figcaption, atom.Address, atom.Caption, atom.Form,
		atom.Fieldset, atom.Details, atom.Summary:
		return true
	}
	return false
}

// IsCell reports table cells, which are kept apart by a space without each becoming a
// paragraph.
func IsCell(a atom.Atom) bool { return a == atom.Td || a == atom.Th }

// Atom is an element's tag as an atom, looked up by name when the node has none: nodes built by
// hand (as main-text libraries build their output) carry only the name.
func Atom(n *html.Node) atom.Atom {
	if n.DataAtom != 0 || n.Type != html.ElementNode {
		return n.DataAtom
	}
	return atom.Lookup([]byte(n.Data))
}
