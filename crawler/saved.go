package crawler

import (
	"context"
	"fmt"
	"net/url"

	"go.uber.org/zap"

	"github.com/newsmill/newsmill/article"
)

// FetchItems fetches the articles that saved lists point at, each from its own host, the way a
// fetched list's items are fetched: what the list said (title, time, summary, stocks) fills what
// a page lacks, articles the skipper knows are not fetched again, and a failed fetch is logged
// with the article's URL. opts gives the politeness and limits; its seeds and hosts are the items'.
func FetchItems(ctx context.Context, items []FeedItem, opts Options, log *zap.Logger, skip Skipper, handle Handler, with ...Option) (Stats, error) {
	if len(items) == 0 {
		return Stats{}, nil
	}
	opts.Seeds, opts.AllowedHosts, opts.Follow, opts.Articles = nil, nil, nil, nil
	hints := map[string]FeedItem{}
	for _, it := range items {
		u, err := url.Parse(it.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue
		}
		s := u.String()
		if _, dup := hints[s]; dup {
			continue
		}
		hints[s] = it
		opts.Seeds = append(opts.Seeds, s)
	}
	opts.MaxDepth, opts.LeafArticles, opts.articleSeeds = 1, true, true
	opts.seedHints = map[string]*article.Record{}
	for s, it := range hints {
		u, _ := url.Parse(s)
		opts.seedHints[article.CanonicalURL(u).String()] = itemHint(u, it)
	}
	if opts.Name == "" {
		opts.Name = "saved lists"
	}
	c, err := New(opts, log, skip, with...)
	if err != nil {
		return Stats{}, fmt.Errorf("fetch saved lists' articles: %w", err)
	}
	return c.Run(ctx, handle)
}
