package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.uber.org/zap"

	"github.com/newsmill/newsmill/crawler"
	"github.com/newsmill/newsmill/internal/regular"
	"github.com/newsmill/newsmill/output"
	"github.com/newsmill/newsmill/pipeline"
	"github.com/newsmill/newsmill/store"
)

// target is one --url value: a web address, a local file or folder, or - (a page on stdin).
type target struct {
	arg
	web   *url.URL
	local string
	stdin bool
}

func parseTargets(args []arg) ([]target, error) {
	var out []target
	for _, a := range args {
		t, err := parseTarget(a)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func parseTarget(a arg) (target, error) {
	r := a.value
	if r == "-" {
		return target{arg: a, stdin: true}, nil
	}
	u, err := url.Parse(r)
	switch {
	case err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "":
		return target{arg: a, web: u}, nil
	case err == nil && u.Scheme == "file":
		p := u.Path
		if u.Host != "" && u.Host != "localhost" { // file://./posts written by hand
			p = u.Host + u.Path
		}
		if err := localTarget(p); err != nil {
			return target{}, fmt.Errorf("%w: %s %q: %v", ErrUsage, a.where, r, err)
		}
		return target{arg: a, local: p}, nil
	case err == nil && u.Scheme == "":
		if err := localTarget(r); errors.Is(err, regular.ErrNotRegular) {
			return target{}, fmt.Errorf("%w: %s %q: %v", ErrUsage, a.where, r, err)
		} else if err != nil {
			return target{}, fmt.Errorf("%w: %s %q is neither an http(s) URL nor an existing file", ErrUsage, a.where, r)
		}
		return target{arg: a, local: r}, nil
	}
	return target{}, fmt.Errorf("%w: %s %q: only http, https and file URLs are read", ErrUsage, a.where, r)
}

// localTarget accepts a folder or a regular file: a named pipe would block the run, a device
// such as /dev/zero never end.
func localTarget(p string) error {
	info, err := os.Stat(p)
	if err != nil || info.IsDir() {
		return err
	}
	return regular.Check(p)
}

// urlRun is one --url run: the run it writes through, and the targets it could not vouch for.
type urlRun struct {
	run *pipeline.Run
	log *zap.Logger
	// thrifty is a run with a store (--db): stored articles are not fetched again and unchanged
	// listings cost a 304, as in a scheduled run.
	thrifty bool
	tune    urlTuning
	failed  []string
}

// crawlURLs reads the targets and holds each to account: a target that could not be fetched,
// or led to no record (none extracted, none already stored, no listing answering "not
// modified"), is named in an ErrNoRecord error (exit 3) once the others are done.
func crawlURLs(ctx context.Context, args []arg, opts crawlOptions, log *zap.Logger, env Env) error {
	targets, err := parseTargets(args)
	if err != nil {
		return err
	}
	if err := checkOut(opts.Out, opts.DB); err != nil {
		return err
	}
	if _, err := lockTimeout(opts.LockTimeout, 0); err != nil {
		return err
	}
	st, err := openURLStore(ctx, opts)
	if err != nil {
		return err
	}
	defer st.Close()
	sink, err := openURLSink(st, opts, env)
	if err != nil {
		return err
	}
	r, err := pipeline.Start(ctx, st, sink, log, nil, pipeline.WithArchiveDir(opts.Archive))
	if err != nil {
		sink.Close()
		return err
	}
	u := &urlRun{run: r, log: log, thrifty: opts.DB != "", tune: opts.urlTuning}
	stop := progress(r, env)
	defer stop()
	// The crawl stops once the pipeline failed; finish still reads the caller's ctx.
	cctx, cancel := r.UntilFailed(ctx)
	defer cancel()
	var web []target
	for _, t := range targets {
		if t.web != nil {
			web = append(web, t)
			continue
		}
		if cctx.Err() != nil {
			break
		}
		if t.stdin {
			u.readStdin(cctx, t, env.stdin())
			continue
		}
		u.readLocal(cctx, t)
	}
	crawlErr := u.crawlWebTargets(cctx, web)
	stop()
	if crawlErr == nil {
		crawlErr = u.noRecord(len(targets))
	}
	return finish(ctx, r, log, crawlErr, env)
}

// openURLStore opens --db, or without it a throwaway store: a run then dedups within itself
// only, and keeps one code path.
func openURLStore(ctx context.Context, opts crawlOptions) (*store.Store, error) {
	if opts.DB == "" {
		return store.OpenTemp(ctx)
	}
	return openStore(ctx, opts.DB, opts.LockTimeout, 0)
}

// openURLSink is --out, tied to --db when there is one, or stdout.
func openURLSink(st *store.Store, opts crawlOptions, env Env) (output.Sink, error) {
	if opts.Out == "" || opts.Out == "-" {
		return output.NewStream(env.Stdout), nil
	}
	var own []output.Option
	if opts.DB != "" {
		own = append(own, pipeline.OwnedBy(st))
	}
	return output.File(opts.Out, own...)
}

// fail names a target that gave nothing, for the ErrNoRecord error and the log.
func (u *urlRun) fail(t target, why string) {
	u.log.Warn("url "+why, zap.String("url", t.value), zap.String("given", t.where))
	u.failed = append(u.failed, fmt.Sprintf("%s %s (%s)", t.value, why, t.where))
}

// noRecord is the ErrNoRecord error naming the first failed targets of total, or nil.
func (u *urlRun) noRecord(total int) error {
	if len(u.failed) == 0 {
		return nil
	}
	shown := u.failed[:min(len(u.failed), 3)]
	more := ""
	if len(u.failed) > len(shown) {
		more = fmt.Sprintf(", and %d more (logged above)", len(u.failed)-len(shown))
	}
	return fmt.Errorf("%w: %d of %d: %s%s", ErrNoRecord, len(u.failed), total, strings.Join(shown, ", "), more)
}

// readLocal reads one file or folder target, then the articles its saved lists point at.
func (u *urlRun) readLocal(ctx context.Context, t target) {
	before := u.run.Stats().Articles.Load()
	u.run.LoadSites(ctx, localSiteURL(t.local))
	var out crawler.LocalOutcome
	fst, items, err := crawler.ReadLocal(ctx, t.local, u.log, u.run.Page, crawler.WithLocalOutcome(func(o crawler.LocalOutcome) { out = o }))
	u.run.Add(fst)
	var known int64
	if err == nil && len(items) > 0 && ctx.Err() == nil {
		known = u.fetchSaved(ctx, items).Skipped
	}
	switch {
	case err != nil:
		u.log.Error("read failed", zap.String("path", t.local), zap.Error(err))
		u.run.Stats().Errors.Add(1)
		if ctx.Err() == nil {
			u.fail(t, "could not be read: "+err.Error())
		}
	case u.run.Stats().Articles.Load() == before && known == 0 && ctx.Err() == nil:
		u.fail(t, "gave no record: "+out.Why())
	}
}

// readStdin reads the page of `--url -` (`curl … | crawl --url -`): one HTML page, its address
// the one it names as its own (crawler.ReadPage).
func (u *urlRun) readStdin(ctx context.Context, t target, in io.Reader) {
	page, err := crawler.ReadPage(in, nil)
	u.run.Add(crawler.Stats{Fetched: 1})
	if err != nil {
		u.run.Stats().Errors.Add(1)
		u.fail(t, "could not be read: "+err.Error())
		return
	}
	if err := u.run.Page(ctx, page); err != nil && ctx.Err() == nil {
		why := "gave no record: " + err.Error()
		if page.URL == crawler.StdinURL {
			why += " (the page names no URL of its own; crawl extract --page-url URL - says what it gives)"
		}
		u.fail(t, why)
	}
}

// crawlWebTargets crawls the web targets in one pass (in parallel, robots.txt read once per
// host, a Retry-After honoured for the whole run) and holds each to account from what the pass
// says it led to (crawler.SeedOutcome): no target is fetched twice.
func (u *urlRun) crawlWebTargets(ctx context.Context, web []target) error {
	if len(web) == 0 || ctx.Err() != nil {
		return nil
	}
	for _, t := range web {
		u.run.LoadSites(ctx, t.web.String())
	}
	outcomes := map[string]crawler.SeedOutcome{}
	o, skip, with := u.urlOptions(web)
	with = append(with, crawler.WithSeedOutcomes(func(so crawler.SeedOutcome) { outcomes[so.Seed] = so }))
	c, err := crawler.New(o, u.log, skip, with...)
	if err != nil {
		return err
	}
	fst, err := c.Run(ctx, u.run.Page)
	u.run.Add(fst)
	if err != nil && ctx.Err() == nil {
		u.log.Error("crawl failed", zap.Error(err))
	}
	if ctx.Err() != nil {
		return nil
	}
	for _, t := range web {
		if why := seedWhy(outcomes[t.web.String()]); why != "" {
			u.fail(t, why)
		}
	}
	return nil
}

// seedWhy says why a target gave nothing, for the error and the warning at the default level,
// or "" when it gave a record, a stored article or a 304.
func seedWhy(o crawler.SeedOutcome) string {
	switch {
	case o.Gave():
		return ""
	case !o.Answered && o.Err != nil:
		return "could not be fetched: " + o.Err.Error()
	case !o.Answered:
		return "could not be fetched"
	case o.Err != nil:
		return "gave no record: " + o.Err.Error()
	case o.Links == 0:
		return "gave no record: not an article, and no links on its host to follow"
	case o.Disallowed == o.Links:
		return fmt.Sprintf("gave no record: robots.txt disallows the %d pages it links to", o.Links)
	case o.Failed > 0:
		why := fmt.Sprintf("gave no record: %d of the %d pages it links to failed (first: %s)", o.Failed, o.Links, o.FirstFailure)
		if o.Disallowed > 0 {
			why += fmt.Sprintf(", %d are disallowed by robots.txt", o.Disallowed)
		}
		return why
	case o.Disallowed > 0:
		return fmt.Sprintf("gave no record: none of the %d pages it links to is an article, %d are disallowed by robots.txt", o.Links, o.Disallowed)
	}
	return fmt.Sprintf("gave no record: none of the %d pages it links to is an article", o.Links)
}

// fetchSaved fetches the articles that saved lists point at, each from its own host: a file has
// no host to stay on. With a store, stored articles are not fetched again (Stats.Skipped).
func (u *urlRun) fetchSaved(ctx context.Context, items []crawler.FeedItem) crawler.Stats {
	var skip crawler.Skipper
	if u.thrifty {
		skip = u.run.Skipper()
	}
	o := crawler.Options{Name: "saved lists"}
	u.tune.apply(&o)
	st, err := crawler.FetchItems(ctx, items, o, u.log, skip, u.run.Page, u.run.CrawlerOptions()...)
	u.run.Add(st)
	if err != nil && ctx.Err() == nil {
		u.log.Error("fetching the saved lists' articles failed", zap.Error(err))
	}
	return st
}

// urlOptions are the crawl options of a --url run over seeds, its skipper and the run's
// collaborators (the store's validators when thrifty).
func (u *urlRun) urlOptions(seeds []target) (crawler.Options, crawler.Skipper, []crawler.Option) {
	var urls []string
	hosts := map[string]bool{}
	for _, t := range seeds {
		urls = append(urls, t.web.String())
		hosts[strings.ToLower(t.web.Host)] = true // the port too: another port is another origin
	}
	o := crawler.Options{Name: "url", Seeds: urls, AllowedHosts: slices.Sorted(maps.Keys(hosts)), MaxDepth: 2, LeafArticles: true}
	with := u.run.CrawlerOptions()
	u.tune.apply(&o)
	if !u.thrifty {
		return o, nil, with
	}
	// With a store, a one-off run is as thrifty as a scheduled one: stored articles are not
	// fetched again and unchanged listings cost a 304.
	return o, u.run.Skipper(), append(with, crawler.WithValidatorCache(u.run.Validators()))
}

// checkOut refuses, before anything is opened, an --out that cannot hold a crawl's output:
// a device or a pipe (after a crash nothing there can be checked, and a seek fails after the
// commit), or the store itself. "-" is stdout, written at least once.
func checkOut(out, db string) error {
	if out == "" || out == "-" {
		return nil
	}
	if _, ok := regular.NotRegular(out); ok {
		return fmt.Errorf("%w: --out %s is not a regular file; leave --out out (or give -) to write to stdout", ErrUsage, out)
	}
	if db == "" {
		return nil
	}
	fi, err := os.Stat(out)
	absOut, _ := filepath.Abs(out)
	absDB, _ := filepath.Abs(db)
	for _, p := range []string{absDB, absDB + ".holder", absDB + ".new"} {
		if absOut == p {
			return fmt.Errorf("%w: --out %s is the store's file; give the output its own path", ErrUsage, out)
		}
		if pi, perr := os.Stat(p); err == nil && perr == nil && os.SameFile(fi, pi) {
			return fmt.Errorf("%w: --out %s is the store's file; give the output its own path", ErrUsage, out)
		}
	}
	return nil
}

// localSiteURL is the file:// address of a page inside the local target path: a saved page's
// site is its folder (learn.SiteKey).
func localSiteURL(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
		abs = filepath.Join(abs, "page.html")
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}
