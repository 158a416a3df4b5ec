package main_test

// The command line itself: help, version, completion, --urls-from and the exit codes a script
// relies on, through the real binary.

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/newsmill/newsmill/testkit/sitegen"
)

func TestHelpGoesToStdoutAndEachCommandSaysWhatItDoesWithAnExample(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"-h"}} {
		r := crawl(t, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "--config") || !strings.Contains(r.stdout, "serve") || r.stderr != "" {
			t.Errorf("crawl %v: exit %d, stdout %d bytes, stderr %q", args, r.code, len(r.stdout), r.stderr)
		}
	}
	for _, sub := range []string{"serve", "stats", "export", "forget", "health", "version"} {
		for _, args := range [][]string{{"help", sub}, {sub, "--help"}} {
			r := crawl(t, args...)
			if r.code != 0 || r.stderr != "" {
				t.Errorf("crawl %v: exit %d, stderr %q", args, r.code, r.stderr)
				continue
			}
			// A description beyond the flags, and a runnable example.
			if !strings.Contains(r.stdout, "Examples:\n  crawl "+sub) || len(strings.SplitN(r.stdout, "Usage:", 2)[0]) < 60 {
				t.Errorf("crawl %v says too little:\n%s", args, r.stdout)
			}
		}
	}
	if r := crawl(t, "forget", "--help"); strings.Contains(r.stdout, "to read") || !strings.Contains(r.stdout, "store FILE to change") {
		t.Errorf("forget's help should say it changes its store:\n%s", r.stdout)
	}
}

func TestVersionSaysTheModuleVersionRevisionAndGoVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		r := crawl(t, args...)
		// The test binary is built from a checkout with -buildvcs=false: "(devel)", no revision.
		if r.code != 0 || !strings.HasPrefix(r.stdout, "crawl (devel) (newsmill, revision ") || !strings.Contains(r.stdout, "go1.") || !strings.Contains(r.stdout, "record schema 1") {
			t.Errorf("crawl %v: exit %d %q %s", args, r.code, r.stdout, r.stderr)
		}
	}
}

func TestCompletionScriptsAreProducedForBashZshAndFish(t *testing.T) {
	for _, sh := range []struct{ name, want, check string }{
		{"bash", "complete -o default -F __start_crawl crawl", "-n"},
		{"zsh", "#compdef crawl", "-n"},
		{"fish", "complete -c crawl", "--no-execute"},
	} {
		r := crawl(t, "completion", sh.name)
		if r.code != 0 || !strings.Contains(r.stdout, sh.want) {
			t.Errorf("completion %s: exit %d, lacks %q\n%s", sh.name, r.code, sh.want, r.stderr)
			continue
		}
		path, err := exec.LookPath(sh.name)
		if err != nil {
			if sh.name == "bash" {
				t.Errorf("bash is needed to check its completion script: %v", err)
			}
			continue // zsh and fish are checked where installed
		}
		f := filepath.Join(t.TempDir(), "crawl."+sh.name)
		os.WriteFile(f, []byte(r.stdout), 0o644)
		if out, err := exec.Command(path, sh.check, f).CombinedOutput(); err != nil {
			t.Errorf("%s does not parse its completion script: %v\n%s", sh.name, err, out)
		}
	}
	// The shell asks the binary for flag values: --log-level offers its four levels.
	r := crawl(t, "__complete", "serve", "--log-level", "")
	for _, lvl := range []string{"debug", "info", "warn", "error"} {
		if !strings.Contains(r.stdout, lvl+"\n") {
			t.Errorf("--log-level completion lacks %s:\n%s", lvl, r.stdout)
		}
	}
}

// zsh and fish show each flag's description beside it; the back quotes that name a flag's
// argument in --help (`YAML`) are help markup and stay out of it.
func TestCompletionDescriptionsCarryNoHelpMarkup(t *testing.T) {
	for _, args := range [][]string{{"__complete", "serve", "--co"}, {"__complete", "--ou"}} {
		r := crawl(t, args...)
		if r.code != 0 || strings.Contains(r.stdout, "`") || !strings.Contains(r.stdout, "\t") {
			t.Errorf("%v: exit %d, stdout %q", args, r.code, r.stdout)
		}
	}
	if r := crawl(t, "serve", "--help"); !strings.Contains(r.stdout, "--config YAML") {
		t.Errorf("--help lost the argument name:\n%s", r.stdout)
	}
}

// bash's script leans on the bash-completion package (_get_comp_words_by_ref), as the docs say;
// where that package is installed, Tab is pressed for real: the script is sourced and asked.
func TestBashCompletesCommandsFlagsAndValuesWithTheBashCompletionPackage(t *testing.T) {
	const pkg = "/usr/share/bash-completion/bash_completion"
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	if _, err := os.Stat(pkg); err != nil {
		t.Skip("the bash-completion package is not installed")
	}
	script := `source ` + pkg + `
source <(crawl completion bash)
tab() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
  __start_crawl crawl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null; echo "$*|${COMPREPLY[*]}"; }
tab crawl se
tab crawl serve --c
tab crawl --log-level ""
tab crawl completion ""
`
	cmd := exec.Command(bash, "--norc", "-c", script)
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(binary)+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	for _, want := range []string{
		"crawl se|serve\n",
		"crawl serve --c|--config\n",
		"crawl --log-level |debug info warn error\n",
		"crawl completion |bash fish powershell zsh\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("Tab after %q: want %q, got\n%s", strings.Split(want, "|")[0], want, out)
		}
	}
}

func TestUsageErrorsAreOneLineAndSuggestTheNearestCommand(t *testing.T) {
	r := crawl(t, "serv", "--config", "x.yaml")
	if r.code != 2 || strings.TrimSpace(r.stderr) != `crawl: usage: unexpected argument "serv"; did you mean "serve"?` {
		t.Errorf("exit %d %q", r.code, r.stderr)
	}
	for _, args := range [][]string{{"help", "nope"}, {"completion", "tcsh"}, {"stats", "extra"}} {
		if r := crawl(t, args...); r.code != 2 || r.stdout != "" || !strings.HasPrefix(r.stderr, "crawl: usage: ") {
			t.Errorf("crawl %v: exit %d, stdout %d bytes, stderr %q; want 2 and one line", args, r.code, len(r.stdout), r.stderr)
		}
	}
	r = crawl(t, "stats", "--nope")
	if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.HasPrefix(r.stderr, "crawl: usage: unknown flag: --nope") {
		t.Errorf("exit %d %q", r.code, r.stderr)
	}
}

// distinct returns n posts of the site with n different ids (media posts have rolling-news twins).
func distinct(site *sitegen.Site, n int) []sitegen.Post {
	seen := map[string]bool{}
	var out []sitegen.Post
	for _, p := range site.Posts {
		if !seen[p.ID] && len(out) < n {
			seen[p.ID] = true
			out = append(out, p)
		}
	}
	return out
}

func TestURLsFromAFileOrStdinSkipBlankLinesAndComments(t *testing.T) {
	site := sitegen.New(12)
	var robots atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			robots.Add(1)
		}
		site.ServeHTTP(w, r)
	}))
	defer srv.Close()
	posts := distinct(site, 3)
	list := "# articles to fetch\n\n" + srv.URL + posts[0].Path + "\n   \n" + srv.URL + posts[1].Path + "   # the second one\n"
	file := filepath.Join(t.TempDir(), "urls.txt")
	os.WriteFile(file, []byte(list), 0o644)
	want := map[string]bool{posts[0].ID: true, posts[1].ID: true}

	r := crawl(t, "--urls-from", file)
	if got := parseJSONL(t, r.stdout); r.code != 0 || len(got) != 2 || !want[got[0].ID] || !want[got[1].ID] {
		t.Fatalf("--urls-from FILE: exit %d, %d records\n%s", r.code, len(got), r.stderr)
	}
	// The URLs of a list share one crawl: the host's robots.txt is read once, not per URL.
	if n := robots.Load(); n != 1 {
		t.Errorf("robots.txt fetched %d times for two URLs of one host", n)
	}
	cmd := exec.Command(binary, "--urls-from", "-", "--url", srv.URL+posts[2].Path)
	cmd.Stdin = strings.NewReader(list)
	out, err := cmd.Output()
	if got := parseJSONL(t, string(out)); err != nil || len(got) != 3 {
		t.Fatalf("--urls-from - with a --url: %v, %d records", err, len(got))
	}

	os.WriteFile(file, []byte(list+"ftp://example/x\n"), 0o644)
	r = crawl(t, "--urls-from", file)
	if r.code != 2 || !strings.Contains(r.stderr, "urls.txt:6") || r.stdout != "" {
		t.Errorf("a bad line: exit %d, want 2 naming file and line\n%s", r.code, r.stderr)
	}
}

func TestURLRunExitsThreeNamingEachURLThatGaveNoRecordAndWritesTheOthers(t *testing.T) {
	site := sitegen.New(4)
	srv := httptest.NewServer(site)
	defer srv.Close()
	empty := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<html><head><title>Nothing</title></head><body><p>No news today.</p></body></html>"))
	}))
	defer empty.Close()
	good, gone, blank := srv.URL+site.Posts[0].Path, srv.URL+"/2021/01/01/NW000000000000000000.html", empty.URL+"/today.html"
	r := crawl(t, "--url", good, "--url", gone, "--url", blank)
	if r.code != 3 {
		t.Fatalf("exit %d, want 3\n%s", r.code, r.stderr)
	}
	if recs := parseJSONL(t, r.stdout); len(recs) != 1 || recs[0].ID != site.Posts[0].ID {
		t.Errorf("the good URL's record was not written: %d records", len(recs))
	}
	var errLine string
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(l, "crawl: ") {
			errLine = l
		}
	}
	for _, want := range []string{"no record: 2 of 3", gone + " could not be fetched: unexpected http status 404 Not Found (--url)", blank + " gave no record: not an article, and no links on its host to follow (--url)"} {
		if !strings.Contains(errLine, want) {
			t.Errorf("error line lacks %q: %q", want, errLine)
		}
	}
	if !strings.Contains(r.lastStderrLine(), "newsmill: ") {
		t.Errorf("the summary is not the last line:\n%s", r.stderr)
	}
	// Listings and feeds are held to account too: two that led to articles are 0, an empty page
	// beside them is named alone.
	if r := crawl(t, "--url", srv.URL+"/", "--url", srv.URL+"/feed.xml"); r.code != 0 || len(parseJSONL(t, r.stdout)) == 0 {
		t.Errorf("two listings: exit %d\n%s", r.code, r.stderr)
	}
	r = crawl(t, "--url", srv.URL+"/", "--url", srv.URL+"/feed.xml", "--url", blank)
	if r.code != 3 || !strings.Contains(r.stderr, "no record: 1 of 3: "+blank+" gave no record") {
		t.Errorf("two listings and an empty page: exit %d\n%s", r.code, r.stderr)
	}
	// Every URL gave its record: 0, also when a second run with --db finds them all stored.
	db := filepath.Join(t.TempDir(), "s.db")
	for i := range 2 {
		if r := crawl(t, "--url", good, "--url", srv.URL+"/feed.xml", "--db", db); r.code != 0 {
			t.Errorf("run %d of stored URLs: exit %d\n%s", i+1, r.code, r.stderr)
		}
	}
}

func TestConfigRunExitsThreeOnlyWhenNoSeedOfAnySourceAnswers(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL + "/"
	dead.Close()
	cfg := writeConfig(t, t.TempDir(), deadURL)
	b, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, append(b, "    max_retries: 0\n"...), 0o644) // refused at once: no need to wait out retries
	r := crawl(t, "--config", cfg)
	if r.code != 3 || !strings.Contains(r.stderr, "crawl: nothing reachable: none of the 1 seeds of 1 sources could be fetched") {
		t.Errorf("total outage: exit %d, want 3\n%s", r.code, r.stderr)
	}
	// Some pages failing (a seed that is gone, articles answering 500) is a normal run: 0.
	site := sitegen.New(6)
	broken := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == site.Posts[0].Path {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		site.ServeHTTP(w, r)
	})
	srv := httptest.NewServer(broken)
	defer srv.Close()
	cfg = writeConfig(t, t.TempDir(), srv.URL+"/, "+srv.URL+"/gone.html")
	b, _ = os.ReadFile(cfg)
	os.WriteFile(cfg, append(b, "    max_retries: 0\n"...), 0o644)
	r = crawl(t, "--config", cfg)
	if r.code != 0 || strings.Contains(r.lastStderrLine(), " 0 errors") {
		t.Errorf("partial failure: exit %d, want 0 with errors counted\n%s", r.code, r.stderr)
	}
}
