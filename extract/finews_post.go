package extract

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/extract/emtext"
	"github.com/newsmill/newsmill/internal/textrule"
)

// FinewsPost reads the raw Jekyll post files of the finews repository (`_posts/*.md`).
type FinewsPost struct{}

// NewFinewsPost returns the extractor for raw finews post files.
func NewFinewsPost() *FinewsPost { return &FinewsPost{} }

// Name implements Extractor.
func (*FinewsPost) Name() string { return "finews-post" }

// Match implements Extractor: a Markdown file by its media type or name, or any non-HTML text
// that opens with a front matter fence.
func (*FinewsPost) Match(p *article.Page) bool {
	switch p.ContentType {
	case "text/markdown", "text/x-markdown":
		return true
	case "", "text/plain", "application/octet-stream":
		if p.URL != nil {
			if ext := strings.ToLower(path.Ext(p.URL.Path)); ext == ".md" || ext == ".markdown" {
				return true
			}
		}
		if p.ContentType == "" && p.IsHTML() {
			return false
		}
		_, _, ok := splitFrontMatter(p.Body)
		return ok
	}
	return false
}

// FrontMatter is the part of a post's YAML header newsmill reads.
type FrontMatter struct {
	Title      string
	Date       string
	Categories []string
	Tags       []string
}

// frontMatterYAML keeps every field a yaml.Node so that the raw text is read, not YAML's idea of
// it: `date: 2021-12-08 10:46:18` would otherwise become a UTC timestamp, the very bug that
// shifts the rendered site by eight hours.
type frontMatterYAML struct {
	Title      yaml.Node `yaml:"title"`
	Date       yaml.Node `yaml:"date"`
	Categories yaml.Node `yaml:"categories"`
	Category   yaml.Node `yaml:"category"`
	Tags       yaml.Node `yaml:"tags"`
}

// ParseFrontMatter splits a post into its YAML header and its body. Leading blank lines and CRLF
// line ends are allowed. A file without a header, or with one YAML cannot read, wraps
// ErrMalformed.
func ParseFrontMatter(b []byte) (FrontMatter, []byte, error) {
	header, body, ok := splitFrontMatter(b)
	if !ok {
		return FrontMatter{}, nil, fmt.Errorf("%w: no front matter (--- … ---)", article.ErrMalformed)
	}
	var raw frontMatterYAML
	if err := yaml.Unmarshal(header, &raw); err != nil {
		return FrontMatter{}, nil, fmt.Errorf("%w: front matter: %w", article.ErrMalformed, err)
	}
	var fm FrontMatter
	var err error
	if fm.Title, err = yamlScalar(&raw.Title, "title"); err != nil {
		return FrontMatter{}, nil, err
	}
	if fm.Date, err = yamlScalar(&raw.Date, "date"); err != nil {
		return FrontMatter{}, nil, err
	}
	cats := &raw.Categories
	if cats.Kind == 0 {
		cats = &raw.Category
	}
	if fm.Categories, err = yamlWords(cats, "categories"); err != nil {
		return FrontMatter{}, nil, err
	}
	if fm.Tags, err = yamlWords(&raw.Tags, "tags"); err != nil {
		return FrontMatter{}, nil, err
	}
	return fm, body, nil
}

// splitFrontMatter finds the "---" fences. The header is returned with LF line ends.
func splitFrontMatter(b []byte) (header, body []byte, ok bool) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, "\r\n")
	first, rest, found := cutLine(b)
	if !found || strings.TrimRight(string(first), " \t") != "---" {
		return nil, nil, false
	}
	start := len(b) - len(rest)
	for pos := start; pos <= len(b); {
		line, next, more := cutLine(b[pos:])
		if strings.TrimRight(string(line), " \t") == "---" {
			header = bytes.ReplaceAll(b[start:pos], []byte("\r\n"), []byte("\n"))
			return header, next, true
		}
		if !more {
			break
		}
		pos = len(b) - len(next)
	}
	return nil, nil, false
}

// cutLine splits off the first line, without its "\n" or "\r\n"; more is false on the last line.
func cutLine(b []byte) (line, rest []byte, more bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return bytes.TrimSuffix(b, []byte("\r")), nil, false
	}
	return bytes.TrimSuffix(b[:i], []byte("\r")), b[i+1:], true
}

func yamlScalar(n *yaml.Node, field string) (string, error) {
	switch n.Kind {
	case 0:
		return "", nil
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "", nil
		}
		return n.Value, nil
	}
	return "", fmt.Errorf("%w: front matter: %s is not a single value", article.ErrMalformed, field)
}

// yamlWords reads categories/tags the way Jekyll does: a string split on white space, or a list.
func yamlWords(n *yaml.Node, field string) ([]string, error) {
	switch n.Kind {
	case 0:
		return nil, nil
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil, nil
		}
		return strings.Fields(n.Value), nil
	case yaml.SequenceNode:
		var out []string
		for _, it := range n.Content {
			if it.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("%w: front matter: %s holds a nested value", article.ErrMalformed, field)
			}
			out = append(out, it.Value)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: front matter: %s is neither a string nor a list", article.ErrMalformed, field)
}

var (
	postNameRe  = regexp.MustCompile(`^(?:\d{4}-\d{2}-\d{2}-)?(.*)$`)
	autolinkRe  = regexp.MustCompile(`^<(https?://[^>]+)>$`)
	backLinksRe = regexp.MustCompile(`^(?:\[返回[^\]]*\]\([^)]*\)\s*｜?\s*)+$`)
)

// Extract implements Extractor.
func (*FinewsPost) Extract(p *article.Page) (*article.Record, error) {
	if p.URL == nil {
		return nil, fmt.Errorf("%w: id: a post's id is its file name, and the page has no url", article.ErrMissingField)
	}
	name := path.Base(p.URL.Path)
	stem := strings.TrimSuffix(strings.TrimSuffix(name, ".md"), ".markdown")
	id, ok := article.NormalizeID(postNameRe.FindStringSubmatch(stem)[1])
	if !ok {
		return nil, fmt.Errorf("%w: no info code in file name %q", article.ErrMalformed, name)
	}
	fm, body, err := ParseFrontMatter(p.Body)
	if err != nil {
		return nil, fmt.Errorf("post %s: %w", name, err)
	}
	rec := &article.Record{ID: id, URL: p.URL.String(), Title: strings.TrimSpace(fm.Title),
		Categories: fm.Categories, Tags: fm.Tags}
	if rec.Title == "" {
		return nil, fmt.Errorf("post %s: %w: title", name, article.ErrMissingField)
	}
	if strings.TrimSpace(fm.Date) == "" {
		return nil, fmt.Errorf("post %s: %w: date", name, article.ErrMissingField)
	}
	// A raw post's date without an offset is what the author meant: Beijing time.
	if rec.PublishedAt, err = textrule.ParseDate(fm.Date); err != nil {
		return nil, fmt.Errorf("post %s: %w: %w", name, article.ErrMalformed, err)
	}

	var keep, summary []string
	for _, ln := range strings.Split(string(body), "\n") {
		s := strings.TrimSpace(ln)
		if m := autolinkRe.FindStringSubmatch(s); m != nil {
			rec.SourceURL = m[1]
			continue
		}
		if strings.HasPrefix(s, "[返回") && backLinksRe.MatchString(s) {
			continue
		}
		if strings.HasPrefix(s, "> ") {
			summary = append(summary, strings.TrimSpace(s[2:]))
			continue
		}
		keep = append(keep, ln)
	}
	rec.Summary = strings.Join(summary, " ")
	t, err := emtext.NormalizeHTML(strings.Join(keep, "\n"), emtext.Options{LineBreaks: true})
	if err != nil {
		return nil, fmt.Errorf("post %s: %w: %w", name, article.ErrMalformed, err)
	}
	rec.Body = t.Body()
	rec.Stocks = t.Stocks
	rec.Editor = t.Editor
	rec.Source = sourceFrom(t.Source, rec.Tags)
	if strings.TrimSpace(rec.Body) == "" {
		return nil, fmt.Errorf("post %s: %w: body", name, article.ErrMissingField)
	}
	return rec, nil
}
