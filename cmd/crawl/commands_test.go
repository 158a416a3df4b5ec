package main

import (
	"io"
	"strings"
	"testing"
)

// The recipe in docs/DESIGN.md ("How to add a subcommand") asks each command for a Long that
// says what it does and a runnable Example; this holds every command of the tree to it, a new
// one included, without a list to keep.
func TestEveryCommandSaysWhatItDoesAndShowsAnExample(t *testing.T) {
	root := newRoot(Env{Stdout: io.Discard, Stderr: io.Discard})
	cmds := append(root.Commands(), root)
	for _, c := range cmds {
		if c.Name() == "completion" {
			continue // cobra's own
		}
		if len(c.Long) < 60 || c.Short == "" {
			t.Errorf("crawl %s: Short %q and a Long of %d bytes say too little", c.Name(), c.Short, len(c.Long))
		}
		if !strings.Contains(c.Example, "crawl ") {
			t.Errorf("crawl %s: no example of a crawl command line:\n%s", c.Name(), c.Example)
		}
		if c.RunE == nil {
			t.Errorf("crawl %s: no RunE", c.Name())
		}
	}
	if len(cmds) < 10 {
		t.Fatalf("the tree has %d commands; newRoot lists them all", len(cmds))
	}
}

func TestAnUnknownHelpTopicNamesEveryCommandOfTheTree(t *testing.T) {
	var errb strings.Builder
	code := Main(t.Context(), []string{"help", "nope"}, Env{Stdout: io.Discard, Stderr: &errb})
	if code != ExitUsage {
		t.Fatalf("exit %d, want %d", code, ExitUsage)
	}
	for _, c := range newRoot(Env{Stdout: io.Discard, Stderr: io.Discard}).Commands() {
		if c.IsAvailableCommand() && !strings.Contains(errb.String(), c.Name()) {
			t.Errorf("%q does not name %s", errb.String(), c.Name())
		}
	}
}
