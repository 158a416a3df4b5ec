package article

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/newsmill/newsmill"

// newsmillDeps lists the newsmill packages dir's non-test files import, directly or through each
// other, read from the sources so the test needs no go command.
func newsmillDeps(t *testing.T, dir string) []string {
	t.Helper()
	seen := map[string]bool{}
	var walk func(dir string)
	walk = func(dir string) {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			ast, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, im := range ast.Imports {
				p, _ := strconv.Unquote(im.Path.Value)
				if !strings.HasPrefix(p, module+"/") || seen[p] {
					continue
				}
				seen[p] = true
				walk(filepath.Join("..", strings.TrimPrefix(p, module+"/")))
			}
		}
	}
	walk(dir)
	var out []string
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func TestTheContractImportsNoOtherNewsmillPackage(t *testing.T) {
	if deps := newsmillDeps(t, "."); len(deps) != 0 {
		t.Fatalf("article must stay a leaf, imports %v", deps)
	}
}

func TestTheFetchStageKnowsTheContractButNotTheExtractors(t *testing.T) {
	deps := newsmillDeps(t, "../crawler")
	contract := false
	for _, p := range deps {
		if p == module+"/extract" || strings.HasPrefix(p, module+"/extract/") {
			t.Fatalf("crawler imports %s (all: %v)", p, deps)
		}
		contract = contract || p == module+"/article"
	}
	if !contract {
		t.Fatalf("crawler should import the contract, imports %v", deps)
	}
}

// The import graph runs one way: commands on top, then the joins, the config, the stages and
// the leaves at the bottom (docs/DESIGN.md, "Packages"). layer places each package; a package
// imports only packages of lower layers, and within one layer only the stages may import each
// other (extract imports its own extract/generic). Test kits sit beside the graph: only tests
// and other kits import them.
const (
	leafLayer = iota
	stageLayer
	configLayer
	joinLayer
	commandLayer
	kitLayer
)

var layerNames = []string{"leaf", "stage", "config", "join", "command", "test kit"}

// layer is where a package of the module (its path without the module prefix) belongs; ok is
// false for a package nobody placed, which the test refuses so that a new folder gets a layer.
func layer(pkg string) (l int, ok bool) {
	first, _, _ := strings.Cut(pkg, "/")
	switch first {
	case "article", "internal":
		return leafLayer, true
	case "crawler", "extract", "store", "output", "archive", "syndication", "health":
		return stageLayer, true
	case "config":
		return configLayer, true
	case "pipeline", "cluster":
		return joinLayer, true
	case "cmd":
		return commandLayer, true
	case "testkit":
		return kitLayer, true
	}
	return 0, false
}

// listed is one package of `go list -json`, with the module prefix cut from its imports.
type listed struct {
	ImportPath   string
	Imports      []string // of its non-test files
	TestImports  []string
	XTestImports []string
}

// layering lists what breaks the rules in pkgs, one line per offending import.
func layering(pkgs []listed) []string {
	var bad []string
	for _, p := range pkgs {
		from, ok := layer(p.ImportPath)
		if !ok {
			bad = append(bad, fmt.Sprintf("%s: no layer for this package; place it in layer()", p.ImportPath))
			continue
		}
		for _, im := range p.Imports {
			to, ok := layer(im)
			switch {
			case !ok:
				bad = append(bad, fmt.Sprintf("%s imports %s, which has no layer", p.ImportPath, im))
			case to == kitLayer && from != kitLayer:
				bad = append(bad, fmt.Sprintf("%s imports the test kit %s outside its tests", p.ImportPath, im))
			case to == commandLayer:
				bad = append(bad, fmt.Sprintf("%s imports the command package %s", p.ImportPath, im))
			case from == kitLayer:
				// Kits build fixtures from whatever they need, below the commands.
			case to > from, to == from && from != stageLayer && from != leafLayer:
				bad = append(bad, fmt.Sprintf("%s (%s) imports %s (%s): up or across the layers", p.ImportPath, layerNames[from], im, layerNames[to]))
			case strings.HasPrefix(p.ImportPath, "internal/") && !strings.HasPrefix(im, "internal/"):
				bad = append(bad, fmt.Sprintf("%s imports %s: internal/ holds leaves only", p.ImportPath, im))
			}
		}
		for _, im := range append(append([]string(nil), p.TestImports...), p.XTestImports...) {
			if to, _ := layer(im); to == commandLayer && im != p.ImportPath {
				bad = append(bad, fmt.Sprintf("%s's tests import the command package %s", p.ImportPath, im))
			}
		}
	}
	sort.Strings(bad)
	return bad
}

// goList lists the module's packages through the go command the test runs under.
func goList(t *testing.T) []listed {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH to list the packages with")
	}
	cmd := exec.Command(gobin, "list", "-json", "./...")
	cmd.Dir = ".."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listed
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, own(p))
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages; is the test run from the module?", len(pkgs))
	}
	return pkgs
}

// own keeps the module's packages of p's imports, without the module prefix.
func own(p listed) listed {
	cut := func(in []string) []string {
		var out []string
		for _, im := range in {
			if rest, ok := strings.CutPrefix(im, module+"/"); ok {
				out = append(out, rest)
			}
		}
		return out
	}
	return listed{ImportPath: strings.TrimPrefix(p.ImportPath, module+"/"), Imports: cut(p.Imports),
		TestImports: cut(p.TestImports), XTestImports: cut(p.XTestImports)}
}

func TestTheImportGraphRunsOneWayFromTheCommandsDownToTheLeaves(t *testing.T) {
	if bad := layering(goList(t)); len(bad) > 0 {
		t.Fatalf("the import graph runs up the layers:\n  %s", strings.Join(bad, "\n  "))
	}
}

func TestNoStageAndNotTheClusterImportsThePipeline(t *testing.T) {
	for _, p := range goList(t) {
		if p.ImportPath == "pipeline" || strings.HasPrefix(p.ImportPath, "cmd/") {
			continue
		}
		for _, im := range p.Imports {
			if im == "pipeline" {
				t.Errorf("%s imports pipeline: only the commands start a run", p.ImportPath)
			}
		}
	}
}

// The rules themselves, on graphs made up to break each one: a test that could not fail would
// pin nothing.
func TestTheLayeringRulesRefuseEachKindOfWrongImport(t *testing.T) {
	cases := []struct {
		name string
		pkg  listed
		want string
	}{
		{"a stage importing a join", listed{ImportPath: "crawler", Imports: []string{"pipeline"}}, "up or across"},
		{"the cluster importing the pipeline", listed{ImportPath: "cluster", Imports: []string{"pipeline"}}, "up or across"},
		{"a join importing the commands", listed{ImportPath: "pipeline", Imports: []string{"cmd/crawl"}}, "command package"},
		{"a test importing the commands", listed{ImportPath: "store", XTestImports: []string{"cmd/crawl"}}, "tests import the command"},
		{"production code importing a test kit", listed{ImportPath: "extract", Imports: []string{"testkit/sitegen"}}, "test kit"},
		{"a leaf in internal importing a stage", listed{ImportPath: "internal/redact", Imports: []string{"store"}}, "up or across"},
		{"a leaf in internal importing the contract", listed{ImportPath: "internal/regular", Imports: []string{"article"}}, "leaves only"},
		{"a package with no layer", listed{ImportPath: "util"}, "no layer"},
	}
	for _, c := range cases {
		bad := layering([]listed{c.pkg})
		if len(bad) != 1 || !strings.Contains(bad[0], c.want) {
			t.Errorf("%s: got %q, want one complaint saying %q", c.name, bad, c.want)
		}
	}
	fine := []listed{
		{ImportPath: "cmd/crawl", Imports: []string{"pipeline", "cluster", "config", "store", "internal/redact"}},
		{ImportPath: "pipeline", Imports: []string{"config", "crawler", "article"}, TestImports: []string{"testkit/sitegen"}},
		{ImportPath: "extract", Imports: []string{"extract/generic", "article", "internal/textrule"}},
		{ImportPath: "testkit/benchkit", Imports: []string{"testkit/sitegen", "store"}},
	}
	if bad := layering(fine); len(bad) > 0 {
		t.Errorf("the layout as it is refused: %q", bad)
	}
}
