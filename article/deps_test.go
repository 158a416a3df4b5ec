package article

import (
	"go/parser"
	"go/token"
	"os"
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
