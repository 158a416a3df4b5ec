// The main-text library that finds the body node.

package generic

import (
	"fmt"
	"net/url"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
)

// mainTextFunc finds the main-content node of a parsed page. Kept as a function value so the
// measurement test can compare libraries on the same wrapper.
type mainTextFunc func(root *html.Node, u *url.URL) (*html.Node, error)

// readabilityMain runs go-readability (readeck's maintained fork, v2) for the content node only;
// the wrapper reads title, date and attribution itself, with zones.
func readabilityMain(root *html.Node, u *url.URL) (*html.Node, error) {
	p := readability.NewParser()
	a, err := p.ParseDocument(root, u)
	if err != nil {
		return nil, fmt.Errorf("readability: %w", err)
	}
	return a.Node, nil
}
