package main_test

// Cluster tests: real `crawl worker` and `crawl sink` processes over a real NATS server embedded
// in the test (restarted on the same port and store), a generated site on loopback.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"net/http/httptest"

	"go.uber.org/zap"

	"github.com/newsmill/newsmill/cluster"
	"github.com/newsmill/newsmill/testkit/natstest"
	"github.com/newsmill/newsmill/testkit/sitegen"
)

// proc is a crawl process whose stderr goes to a file, read when it matters.
type proc struct {
	cmd    *exec.Cmd
	stderr string
	done   chan error
}

func startProc(t *testing.T, dir, name string, args ...string) *proc {
	t.Helper()
	errPath := filepath.Join(dir, name+".stderr")
	f, err := os.OpenFile(errPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, args...)
	cmd.Stderr = f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, stderr: errPath, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait(); f.Close() }()
	return p
}

func (p *proc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop sends SIGTERM and returns the last stderr line and the exit error.
func (p *proc) stop(t *testing.T) (string, error) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	var err error
	select {
	case err = <-p.done:
	case <-time.After(20 * time.Second):
		p.cmd.Process.Signal(syscall.SIGKILL)
		t.Errorf("%s did not stop within 20s of SIGTERM", p.cmd.Args)
		err = <-p.done
	}
	b, _ := os.ReadFile(p.stderr)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return lines[len(lines)-1], err
}

func writeClusterConfig(t *testing.T, dir, natsURL, prefix, seeds, source string) string {
	t.Helper()
	cfg := filepath.Join(dir, prefix+".yaml")
	body := fmt.Sprintf(`output: ./out
log_level: warn
cluster:
  nats: [%s]
  prefix: %s
  lease: 1s
  max_deliver: 1000
  concurrency: 4
sources:
  - name: finews
    seeds: [%s]
    allowed_hosts: [127.0.0.1]
    timeout: 1s
    retry_base_delay: 50ms
%s`, natsURL, prefix, seeds, source)
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func connectTest(t *testing.T, url, prefix string) *cluster.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := cluster.Connect(ctx, cluster.Options{URLs: []string{url}, Prefix: prefix}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitFrontierEmpty waits until every URL queued was fetched and acknowledged.
func waitFrontierEmpty(t *testing.T, c *cluster.Cluster, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		d, err := c.FrontierDepth(ctx)
		cancel()
		if err == nil && d == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the frontier still holds %d URLs after %s (err %v)", d, within, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitLines waits until the .jsonl files under dir hold n whole lines, or within has passed.
func waitLines(dir string, n int, within time.Duration) {
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
		lines := 0
		for _, f := range files {
			b, _ := os.ReadFile(f)
			lines += bytes.Count(b, []byte("\n"))
		}
		if lines >= n {
			return
		}
	}
}

// requestLog records when each request reached the site and how many were in flight at once.
type requestLog struct {
	mu       sync.Mutex
	starts   []time.Time
	paths    []string
	inFlight atomic.Int64
	peak     atomic.Int64
}

func (l *requestLog) wrap(h http.Handler, delay time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		l.mu.Lock()
		l.starts = append(l.starts, now)
		l.paths = append(l.paths, r.URL.Path)
		l.mu.Unlock()
		n := l.inFlight.Add(1)
		defer l.inFlight.Add(-1)
		for {
			p := l.peak.Load()
			if n <= p || l.peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(delay)
		h.ServeHTTP(w, r)
	})
}

// minGap is the smallest time between two consecutive requests, from index from on.
func (l *requestLog) minGap(from int) (time.Duration, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := append([]time.Time(nil), l.starts[from:]...)
	sort.Slice(s, func(i, j int) bool { return s[i].Before(s[j]) })
	gap := time.Duration(1<<62 - 1)
	for i := 1; i < len(s); i++ {
		gap = min(gap, s[i].Sub(s[i-1]))
	}
	return gap, len(s)
}

func TestThreeWorkersHoldPerHostPolitenessTogetherAndA429PausesTheHostForAll(t *testing.T) {
	srv := natstest.Start(t)
	site := sitegen.New(20)
	var log requestLog
	var refused atomic.Bool
	var pausedAt atomic.Int64
	const delay = 25 * time.Millisecond
	web := httptest.NewServer(log.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The category page answers 429 once, asking for a second's pause.
		if r.URL.Path == "/category/emnews.html" && refused.CompareAndSwap(false, true) {
			pausedAt.Store(time.Now().UnixNano())
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		site.ServeHTTP(w, r)
	}), 2*time.Millisecond))
	defer web.Close()
	dir := t.TempDir()
	cfg := writeClusterConfig(t, dir, srv.URL(), "polite", web.URL+"/category/emnews.html, "+web.URL+"/", "    parallelism: 1\n    delay: 25ms\n")
	var workers []*proc
	for i := range 3 {
		workers = append(workers, startProc(t, dir, fmt.Sprintf("worker%d", i), "worker", "--config", cfg, "--listen", "127.0.0.1:0"))
	}
	if r := crawl(t, "enqueue", "--config", cfg); r.code != 0 {
		t.Fatalf("enqueue: exit %d\n%s", r.code, r.stderr)
	}
	c := connectTest(t, srv.URL(), "polite")
	// enqueue returned once the server held the seeds, and a worker acks a URL only after its
	// links are queued, so the frontier is empty only when the crawl is done.
	waitFrontierEmpty(t, c, 40*time.Second)
	for _, w := range workers {
		if last, err := w.stop(t); err != nil {
			t.Errorf("worker exit %v: %s", err, last)
		}
	}
	gap, n := log.minGap(0)
	if peak := log.peak.Load(); peak != 1 {
		t.Errorf("%d requests in flight at once across the workers, parallelism is 1", peak)
	}
	if gap < delay {
		t.Errorf("smallest gap between two requests to the host across 3 workers: %s, delay is %s", gap, delay)
	}
	// No request reached the host within the second the 429 asked for.
	log.mu.Lock()
	var after time.Duration = -1
	for _, s := range log.starts {
		if d := s.Sub(time.Unix(0, pausedAt.Load())); d > 0 && (after < 0 || d < after) {
			after = d
		}
	}
	log.mu.Unlock()
	if !refused.Load() || after < 900*time.Millisecond {
		t.Errorf("first request after the 429 came %s later, want the 1s Retry-After held by every worker", after)
	}
	t.Logf("%d requests over 3 workers: peak in flight %d, smallest gap %s (delay %s), first request %s after the 429", n, log.peak.Load(), gap, delay, after)
	checkStreamOnce(t, c, site)
}

// checkStreamOnce checks the record stream holds every id of the site exactly once.
func checkStreamOnce(t *testing.T, c *cluster.Cluster, site *sitegen.Site) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	count := map[string]int{}
	n, err := c.Export(ctx, cluster.ExportFilter{}, func(id string, _ []byte) error {
		count[id]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range site.IDs() {
		if count[id] != 1 {
			t.Errorf("id %s is %d times in the record stream", id, count[id])
		}
		delete(count, id)
	}
	for id := range count {
		t.Errorf("id %s in the stream is not on the site", id)
	}
	if n != len(site.IDs()) {
		t.Errorf("record stream holds %d records for %d ids", n, len(site.IDs()))
	}
}

// clusterKills is how many SIGKILLs the cluster kill test sends; NEWSMILL_CLUSTER_KILLS overrides
// it for a longer local run.
func clusterKills(t *testing.T) int {
	if s := os.Getenv("NEWSMILL_CLUSTER_KILLS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("NEWSMILL_CLUSTER_KILLS=%q", s)
		}
		return n
	}
	if testing.Short() {
		return 10
	}
	return 40
}

var workerSummary = regexp.MustCompile(`(\d+) new records, (\d+) duplicates`)

// The kills and restarts are random; the test logs its seed first, and NEWSMILL_KILL_SEED=<seed>
// (with NEWSMILL_CLUSTER_KILLS for the count) replays them.
func TestWorkersSIGKILLedAtRandomAndServerRestartsLeaveEveryIdOnceInTheStreamAndTheFiles(t *testing.T) {
	srv := natstest.Start(t)
	site := sitegen.New(150)
	var log requestLog
	web := httptest.NewServer(log.wrap(site, 10*time.Millisecond))
	defer web.Close()

	kills, restarts := clusterKills(t), 5
	seed := killSeed(t)
	rng := rand.New(rand.NewPCG(seed, 1))
	start := time.Now()
	done, restarted, rounds, sinkKills := 0, 0, 0, 0
	var dups int64
	// A round is one crawl of the site under fresh streams: workers and the sink are killed at
	// random while it runs, the server restarted once, until the frontier is empty; then the
	// stream and the sink's files must hold every id once.
	for done < kills || restarted < restarts {
		rounds++
		dir := t.TempDir()
		prefix := fmt.Sprintf("kill%d", rounds)
		cfg := writeClusterConfig(t, dir, srv.URL(), prefix, web.URL+"/, "+web.URL+"/category/emnews.html", "    parallelism: 4\n")
		out := filepath.Join(dir, "out")
		workers := make([]*proc, 3)
		for i := range workers {
			workers[i] = startProc(t, dir, fmt.Sprintf("worker%d", i), "worker", "--config", cfg, "--listen", "127.0.0.1:0")
		}
		sink := startProc(t, dir, "sink", "sink", "--config", cfg, "--out", out)
		if r := crawl(t, "enqueue", "--config", cfg); r.code != 0 {
			t.Fatalf("enqueue: exit %d\n%s", r.code, r.stderr)
		}
		c := connectTest(t, srv.URL(), prefix)
		restartAt := -1
		if restarted < restarts {
			restartAt = rng.IntN(3)
		}
		for k := 0; ; k++ {
			time.Sleep(time.Duration(50+rng.IntN(250)) * time.Millisecond)
			if k == restartAt {
				srv.Restart()
				restarted++
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			depth, err := c.FrontierDepth(ctx)
			cancel()
			if (err == nil && depth == 0) || done >= kills && restartAt < k {
				break
			}
			if done >= kills {
				continue
			}
			if rng.IntN(5) == 0 {
				sink.kill()
				sinkKills++
				sink = startProc(t, dir, "sink", "sink", "--config", cfg, "--out", out)
			} else {
				i := rng.IntN(len(workers))
				workers[i].kill()
				workers[i] = startProc(t, dir, fmt.Sprintf("worker%d", i), "worker", "--config", cfg, "--listen", "127.0.0.1:0")
			}
			done++
		}
		waitFrontierEmpty(t, c, 60*time.Second)
		for _, w := range workers {
			last, err := w.stop(t)
			if err != nil {
				b, _ := os.ReadFile(w.stderr)
				t.Fatalf("round %d: worker exit %v\n%s", rounds, err, b)
			}
			if m := workerSummary.FindStringSubmatch(last); m != nil {
				n, _ := strconv.ParseInt(m[2], 10, 64)
				dups += n
			}
		}
		checkStreamOnce(t, c, site)
		// The sink catches up and stops (the final sink below writes what it had not); the files
		// hold each id once, in whole lines.
		waitLines(out, len(site.IDs()), 10*time.Second)
		if last, err := sink.stop(t); err != nil {
			t.Fatalf("round %d: sink exit %v: %s", rounds, err, last)
		}
		final := crawl(t, "sink", "--config", cfg, "--out", out, "--idle", "500ms")
		if final.code != 0 {
			t.Fatalf("round %d: final sink exit %d\n%s", rounds, final.code, final.stderr)
		}
		checkExactlyOnce(t, out, site)
		t.Logf("round %d done at %s: %d kills so far, %d restarts", rounds, time.Since(start).Round(time.Millisecond), done, restarted)
	}
	if dups == 0 {
		t.Errorf("no record was refused as a duplicate: the site's twins should have been")
	}
	t.Logf("%d SIGKILLs (%d of the sink) and %d server restarts over %d rounds of %d ids in %s; %d twins and redeliveries refused by the server (seed %d)",
		done, sinkKills, restarted, rounds, len(site.IDs()), time.Since(start).Round(time.Millisecond), dups, seed)
}

func TestTwoClusterServesQueueOneTickAndStatsExportForgetReadTheStream(t *testing.T) {
	srv := natstest.Start(t)
	site := sitegen.New(8)
	web := httptest.NewServer(site)
	defer web.Close()
	dir := t.TempDir()
	cfg := writeClusterConfig(t, dir, srv.URL(), "tools", web.URL+"/, "+web.URL+"/category/emnews.html",
		"    schedule: \"0 0 1 1 *\"\nrun_on_start: true\nlisten: 127.0.0.1:0\n")
	if err := os.WriteFile(cfg, bytesReplace(t, cfg, "log_level: warn", "log_level: info"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := connectTest(t, srv.URL(), "tools")
	serves := []*proc{startProc(t, dir, "serve0", "serve", "--config", cfg), startProc(t, dir, "serve1", "serve", "--config", cfg)}
	deadline := time.Now().Add(15 * time.Second)
	for {
		a, _ := os.ReadFile(serves[0].stderr)
		b, _ := os.ReadFile(serves[1].stderr)
		if strings.Count(string(a)+string(b), `"tick`) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the serves did not tick:\n%s\n%s", a, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, s := range serves {
		if last, err := s.stop(t); err != nil {
			t.Fatalf("serve exit %v: %s", err, last)
		}
	}
	a, _ := os.ReadFile(serves[0].stderr)
	b, _ := os.ReadFile(serves[1].stderr)
	if n := strings.Count(string(a)+string(b), `"tick queued"`); n != 1 {
		t.Errorf("%d serves queued the tick, want 1:\n%s\n%s", n, a, b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if d, err := c.FrontierDepth(ctx); err != nil || d != 2 {
		t.Fatalf("frontier holds %d URLs (err %v), want the 2 seeds once", d, err)
	}

	w := startProc(t, dir, "worker", "worker", "--config", cfg, "--listen", "127.0.0.1:0")
	waitFrontierEmpty(t, c, 30*time.Second)
	addr := ""
	wlog, _ := os.ReadFile(w.stderr)
	if m := regexp.MustCompile(`"worker running","addr":"([^"]+)"`).FindSubmatch(wlog); m != nil {
		addr = string(m[1])
	}
	if addr == "" {
		t.Fatalf("worker did not say where it listens:\n%s", wlog)
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body := new(strings.Builder)
	_, _ = io.Copy(body, resp.Body)
	resp.Body.Close()
	want := len(site.IDs())
	for _, m := range []string{`newsmill_records_written_total{source="finews"} ` + strconv.Itoa(want), "newsmill_frontier_depth 0", "newsmill_leases_in_flight 0", `newsmill_pages_fetched_total{code="200",source="finews"}`} {
		if !strings.Contains(body.String(), m) {
			t.Errorf("worker metrics lack %q", m)
		}
	}
	if r, err := http.Get("http://" + addr + "/healthz"); err != nil || r.StatusCode != 200 {
		t.Errorf("worker /healthz: %v %v", r, err)
	}
	if last, err := w.stop(t); err != nil || !strings.Contains(last, fmt.Sprintf("%d new records", want)) {
		t.Errorf("worker exit %v: %s", err, last)
	}

	st := crawl(t, "stats", "--config", cfg)
	if st.code != 0 || !regexp.MustCompile(`(?m)^ids\s+`+strconv.Itoa(want)+`$`).MatchString(st.stdout) || !strings.Contains(st.stdout, "finews") {
		t.Errorf("stats: exit %d\n%s%s", st.code, st.stdout, st.stderr)
	}
	ex := crawl(t, "export", "--config", cfg)
	recs := parseJSONL(t, ex.stdout)
	if ex.code != 0 || strings.Join(ids(recs), ",") != strings.Join(site.IDs(), ",") {
		t.Fatalf("export: exit %d, %d records for %d ids\n%s", ex.code, len(recs), want, ex.stderr)
	}
	if ex := crawl(t, "export", "--config", cfg, "--source", "nope"); ex.code != 2 || !strings.Contains(ex.stderr, "known: finews") {
		t.Errorf("export of an unknown source: exit %d, want 2 naming finews\n%s", ex.code, ex.stderr)
	}
	gone := recs[0]
	fg := crawl(t, "forget", "--config", cfg, "--id", gone.ID)
	if fg.code != 0 || strings.TrimSpace(fg.stdout) != gone.ID {
		t.Fatalf("forget: exit %d, %q\n%s", fg.code, fg.stdout, fg.stderr)
	}
	routes := []string{gone.URL}
	for _, p := range site.Posts {
		if p.ID == gone.ID {
			routes = append(routes, web.URL+p.Path) // the twin's route too
		}
	}
	for _, u := range routes {
		if _, known := c.KnownURL(ctx, u); known {
			t.Errorf("the forgotten id's URL %s is still known: a later crawl would not emit it again", u)
		}
	}
	if ex := crawl(t, "export", "--config", cfg); len(parseJSONL(t, ex.stdout)) != want-1 {
		t.Errorf("export after forget: %d records, want %d", len(parseJSONL(t, ex.stdout)), want-1)
	}
}

func bytesReplace(t *testing.T, path, old, new string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.Replace(string(b), old, new, 1))
}

func TestTheBinaryDoesNotLinkTheNATSServer(t *testing.T) {
	out, err := exec.Command("go", "version", "-m", binary).CombinedOutput()
	if err != nil {
		t.Fatalf("go version -m: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "github.com/nats-io/nats.go") {
		t.Fatalf("the binary does not carry the NATS client; is this the right binary?\n%s", out)
	}
	if strings.Contains(string(out), "nats-server") {
		t.Errorf("the crawl binary links the NATS server, which is for tests only:\n%s", out)
	}
}

func TestAPlainCrawlOfAClusterConfigSaysWhichCommandsRunItAndExits2(t *testing.T) {
	dir := t.TempDir()
	cfg := writeClusterConfig(t, dir, "nats://127.0.0.1:1", "plain", "http://127.0.0.1:1/", "")
	r := crawl(t, "--config", cfg)
	if r.code != 2 || !strings.Contains(r.stderr, "crawl worker") {
		t.Errorf("exit %d, %q", r.code, r.stderr)
	}
	// And the cluster commands refuse a config without cluster:, naming the section.
	plain := writeConfig(t, dir, "http://127.0.0.1:1/")
	for _, cmd := range []string{"worker", "enqueue", "sink"} {
		r := crawl(t, cmd, "--config", plain)
		if r.code != 2 || !strings.Contains(r.stderr, "no cluster: section") {
			t.Errorf("%s: exit %d, %q", cmd, r.code, r.stderr)
		}
	}
}
