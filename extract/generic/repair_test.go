package generic

import (
	"strings"
	"testing"
)

func TestAPageWhoseTitleIsNeverClosedKeepsItsBody(t *testing.T) {
	// The head lost its </title> (an archive's cut, a "</tit" typo): without repair the parser
	// reads the whole page as the title and the body is empty.
	for _, head := range []string{
		"<title>Riverside Weekly | Ferry timetable changes\n<script src=\"/js/site.js\"></script>",
		"<title>Riverside Weekly - Ferry timetable changes</titjavascript\" src=\"/x.js\"></script>",
	} {
		page := `<html><head>` + head + `</head><body>
<h1>Ferry timetable changes</h1><meta name="date" content="2024-05-02">
<p>The morning ferry will leave twenty minutes earlier from June, the harbour office said on Thursday.</p>
<p>Evening sailings stay as they are, and the weekend service adds a crossing at noon.</p></body></html>`
		rec, err := extractPage(pageOf(t, "https://riverside.example.com/news/ferry", page))
		if err != nil {
			t.Fatalf("%q: %v", head[:30], err)
		}
		if !strings.HasPrefix(rec.Body, "The morning ferry") || !strings.Contains(rec.Body, "noon.") {
			t.Errorf("%q: body %q", head[:30], rec.Body)
		}
		if rec.Title != "Ferry timetable changes" {
			t.Errorf("%q: title %q", head[:30], rec.Title)
		}
	}
}

func TestAClosedTitleIsLeftAsItIs(t *testing.T) {
	b := []byte("<html><head><title>A <b> in a title</title></head><body><p>x</p></body></html>")
	if got := RepairTitle(b); string(got) != string(b) {
		t.Errorf("changed a closed title: %s", got)
	}
}

func TestRepairTitleFindsTheTagInEitherCaseAfterTextWhoseLowerCaseIsLonger(t *testing.T) {
	// "Ⱥ" (2 bytes) lower-cases to "ⱥ" (3 bytes): offsets found in a lower-cased copy of the
	// page would land inside the wrong bytes of the page itself.
	for _, c := range []struct{ in, want string }{
		{"ȺȺȺȺȺȺȺȺȺȺ<TITLE>Ferry news<script></script>", "ȺȺȺȺȺȺȺȺȺȺ<TITLE>Ferry news</title><script></script>"},
		{"<Title>Ferry news</TITLE><p>x</p>", "<Title>Ferry news</TITLE><p>x</p>"},
		{"<p>no title here</p>", "<p>no title here</p>"},
		{"<title>cut", "<title>cut"},
	} {
		if got := string(RepairTitle([]byte(c.in))); got != c.want {
			t.Errorf("RepairTitle(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
