package crawler

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/url"
	"strings"
	"time"
)

// ErrNotFeed is returned by ParseFeed for bytes that are no feed it knows.
var ErrNotFeed = errors.New("not a feed")

// Feed is a parsed feed: its items are pages to fetch.
type Feed struct {
	Kind  string
	Items []FeedItem
	Feeds []string
}

// FeedItem is one entry of a feed.
type FeedItem struct {
	URL         string
	ID          string
	Title       string
	Published   time.Time
	Source      string
	Summary     string
	ContentHTML string
}

type atomFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Entries []struct {
		Title string `xml:"title"`
		ID    string `xml:"id"`
		Links []struct {
			Href string `xml:"href,attr"`
			Rel  string `xml:"rel,attr"`
		} `xml:"link"`
		Published string `xml:"published"`
	} `xml:"entry"`
}

// ParseFeed reads an Atom feed.
func ParseFeed(base *url.URL, contentType string, body []byte) (*Feed, error) {
	head := bytes.TrimSpace(body[:min(len(body), 1024)])
	if !bytes.HasPrefix(head, []byte("<?xml")) && !bytes.HasPrefix(head, []byte("<feed")) {
		return nil, ErrNotFeed
	}
	var a atomFeed
	if err := xml.Unmarshal(body, &a); err != nil {
		return nil, ErrNotFeed
	}
	f := &Feed{Kind: "atom"}
	for _, e := range a.Entries {
		it := FeedItem{ID: e.ID, Title: strings.TrimSpace(e.Title)}
		for _, l := range e.Links {
			if l.Rel == "" || l.Rel == "alternate" {
				it.URL = l.Href
				break
			}
		}
		it.Published, _ = time.Parse(time.RFC3339, e.Published)
		if it.URL != "" {
			f.Items = append(f.Items, it)
		}
	}
	return f, nil
}
