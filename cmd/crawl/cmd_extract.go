package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/newsmill/newsmill/article"
	"github.com/newsmill/newsmill/config"
	"github.com/newsmill/newsmill/crawler"
	"github.com/newsmill/newsmill/extract"
	"github.com/newsmill/newsmill/pipeline"
)

type extractOptions struct {
	Rules   string
	PageURL string
}

func newExtractCommand(env Env) *cobra.Command {
	var o extractOptions
	cmd := &cobra.Command{
		Use:   "extract [--rules FILE] [--page-url URL] (PAGE | -)",
		Short: "Extract one saved page (or one on stdin) and print its record; try rules: selectors",
		Long: `Read one page from a file, or from stdin with -, run the extractors a crawl runs (the site
extractors, then the rules, then the generic one) and print its record as one JSONL line on
stdout. Nothing is fetched or stored: it is for trying a page, or a rules: selector set before
a crawl uses it.

With --rules FILE (a YAML file with a rules: list, as a crawl config has it; a whole config
works) stderr says which extractor gave the record and, for each rule, whether it applies to the
page and what each of its selectors matched there, with the first match's text. Rules match by
the page's address: give --page-url, the address the page was served from (a page that names its
own URL, <link rel="canonical"> or og:url, has it already).

Exit status: 0 a record was printed, 2 bad flags or rules, 3 the page gave no record (why is on
stderr).`,
		Example: `  crawl extract saved/article.html
  crawl extract --rules rules.yaml --page-url https://news.example.com/a/1.html saved/1.html
  curl -s https://news.example.com/a/1.html | crawl extract --rules rules.yaml --page-url https://news.example.com/a/1.html -`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("%w: crawl extract takes one PAGE (a file, or - for stdin); got %d", ErrUsage, len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExtract(cmd.Context(), o, args[0], env)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Rules, "rules", "", "`YAML` file whose rules: list is tried on the page (a crawl config works too)")
	fs.StringVar(&o.PageURL, "page-url", "", "the `URL` the page was served from: the record's url, and what rules match")
	_ = cmd.MarkFlagFilename("rules", "yaml", "yml")
	return cmd
}

func runExtract(_ context.Context, opts extractOptions, name string, env Env) error {
	var pageURL *url.URL
	if opts.PageURL != "" {
		u, err := url.Parse(opts.PageURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%w: --page-url %q is not an http(s) URL", ErrUsage, opts.PageURL)
		}
		pageURL = u
	}
	var rules []extract.Rule
	if opts.Rules != "" {
		var err error
		if rules, err = readRules(opts.Rules); err != nil {
			return err
		}
	}
	reg, err := pipeline.Registry(rules)
	if err != nil {
		return err
	}
	page, err := readExtractPage(name, pageURL, env)
	if err != nil {
		return err
	}
	rec, xerr := reg.Extract(page)
	if opts.Rules != "" {
		compiled, _ := extract.NewRules(rules) // Registry compiled them already
		explainRules(env.Stderr, compiled.Explain(page), page)
	}
	if xerr != nil {
		why := xerr.Error()
		if errors.Is(xerr, article.ErrNotArticle) {
			why = "no extractor took it as an article"
		}
		return fmt.Errorf("%w: %s gave no record: %s", ErrNoRecord, name, why)
	}
	line, err := article.Marshal(rec)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(env.Stdout, "%s\n", line); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "crawl extract: record %s by extractor %s\n", rec.ID, rec.Extractor)
	return nil
}

// readRules reads the rules: list of a YAML file; the rest of a crawl config is left alone.
func readRules(path string) ([]extract.Rule, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: --rules: %v", ErrUsage, err)
	}
	var f struct {
		Rules []extract.Rule `yaml:"rules"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", config.ErrInvalid, path, err)
	}
	if len(f.Rules) == 0 {
		return nil, fmt.Errorf("%w: %s: no rules: list in it (docs/extractors.md)", config.ErrInvalid, path)
	}
	return f.Rules, nil
}

// readExtractPage reads PAGE: a file (its address file://…, or --page-url), or - for stdin.
func readExtractPage(name string, u *url.URL, env Env) (*article.Page, error) {
	if name == "-" {
		p, err := crawler.ReadPage(env.stdin(), u)
		if err != nil {
			return nil, pageError(err)
		}
		return p, nil
	}
	if err := localTarget(name); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUsage, name, err)
	}
	if fi, err := os.Stat(name); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("%w: %s is a folder; crawl --url %s reads every page in it", ErrUsage, name, name)
	}
	p, err := crawler.ReadFile(name)
	if err != nil {
		return nil, pageError(err)
	}
	if u == nil && p.IsHTML() {
		u = crawler.OwnURL(p.Body) // a saved page that names its address was served from there
	}
	if u != nil {
		p.URL = u
	}
	return p, nil
}

// pageError is a page that could not be read: bytes that are no page (empty, binary, too
// large) gave no record, exit 3 as `crawl --url -` says of the same bytes; anything else (a
// file that cannot be opened) is the argument's fault.
func pageError(err error) error {
	if errors.Is(err, crawler.ErrNotPage) || errors.Is(err, crawler.ErrBinary) || errors.Is(err, crawler.ErrBodyTooLarge) {
		return fmt.Errorf("%w: %v", ErrNoRecord, err)
	}
	return fmt.Errorf("%w: %v", ErrUsage, err)
}

// explainRules says on w, for each rule, whether it applies to the page and what its selectors
// matched.
func explainRules(w io.Writer, reps []extract.RuleReport, page *article.Page) {
	for _, r := range reps {
		if !r.Applies {
			var by []string
			if len(r.Hosts) > 0 {
				by = append(by, "hosts "+strings.Join(r.Hosts, ", "))
			}
			if r.Pattern != "" {
				by = append(by, "url_pattern "+r.Pattern)
			}
			hint := ""
			if page.URL.Scheme == "file" {
				hint = "; give --page-url, the address the page was served from"
			}
			fmt.Fprintf(w, "crawl extract: %s does not apply to %s (%s%s)\n", r.Rule, page.URL, strings.Join(by, "; "), hint)
		} else {
			fmt.Fprintf(w, "crawl extract: %s applies to %s\n", r.Rule, page.URL)
		}
		for _, f := range r.Fields {
			switch {
			case f.Matches == 0 && strings.HasPrefix(f.Field, "drop"):
				fmt.Fprintf(w, "  %-7s %q matched nothing\n", f.Field, f.Selector)
			case f.Matches == 0:
				fmt.Fprintf(w, "  %-7s %q matched nothing: the generic detection reads it\n", f.Field, f.Selector)
			case f.First == "":
				fmt.Fprintf(w, "  %-7s %q matched %d\n", f.Field, f.Selector, f.Matches)
			default:
				fmt.Fprintf(w, "  %-7s %q matched %d, first: %q\n", f.Field, f.Selector, f.Matches, f.First)
			}
		}
	}
}
