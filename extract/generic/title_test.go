package generic

import (
	"fmt"
	"testing"
)

func TestTheHeadlineOverTheBodyWinsOverATitleThatIsTheSitesOrCarriesIt(t *testing.T) {
	body := `<p>The dredging of the inner harbour finished two weeks ahead of schedule, the port authority said.</p>
<p>Ferries will return to the old pier from Monday, with the first sailing at seven.</p>`
	for _, c := range []struct{ head, markup, want string }{
		// The <title> holds only the site's name; the headline is printed over the text.
		{"Winnipeg Free Press", `<h2>Harbour dredging ends two weeks early</h2>`, "Harbour dredging ends two weeks early"},
		// The site's name before the headline, or after it with a separator the page never prints.
		{"EuroNews : Harbour dredging ends two weeks early", `<div class="x">Harbour dredging ends two weeks early</div>`, "Harbour dredging ends two weeks early"},
		{"NDTV.com: Harbour dredging ends two weeks early", `<b>By Sam Lee</b>`, "Harbour dredging ends two weeks early"},
		// A title the page prints as it is stays.
		{"Harbour dredging ends two weeks early", `<h1>Harbour dredging ends two weeks early</h1>`, "Harbour dredging ends two weeks early"},
	} {
		page := fmt.Sprintf(`<html><head><title>%s</title><meta property="article:published_time" content="2024-03-01T09:00:00Z"></head>
<body><div class="story">%s%s</div><p class="note">Harbour dredging ends two weeks early — read more in print.</p></body></html>`, c.head, c.markup, body)
		rec, err := extractPage(pageOf(t, "https://harbour.example.com/news/dredging", page))
		if err != nil {
			t.Fatalf("%q: %v", c.head, err)
		}
		if rec.Title != c.want {
			t.Errorf("title %q with %s: got %q, want %q", c.head, c.markup, rec.Title, c.want)
		}
	}
}
