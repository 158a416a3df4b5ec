package main_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The README's main-job command must give the exit codes of the table beside it: `go run`
// turns every non-zero status into 1 (and prints "exit status 3"), so the job runs the binary
// that `make build` writes.
func TestTheReadmesMainJobRunsTheBuiltBinarySoItsExitCodesAreTheDocumentedOnes(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "Run the main job")
	if !ok {
		t.Fatal(`README has no "Run the main job" section`)
	}
	block := regexp.MustCompile("(?s)```sh\n(.*?)```").FindStringSubmatch(after)
	if block == nil {
		t.Fatal("no sh block after \"Run the main job\"")
	}
	cmd := strings.TrimSpace(block[1])
	if strings.Contains(cmd, "go run") {
		t.Errorf("the main job is run with go run, which exits 1 where the table says 3: %q", cmd)
	}
	if !strings.HasPrefix(cmd, "make build && bin/crawl --config ") {
		t.Errorf("the main job does not run the binary make build writes: %q", cmd)
	}
	makefile, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^build:\n\t.*-o bin/crawl \./cmd/crawl$`).Match(makefile) {
		t.Errorf("make build does not write bin/crawl")
	}
}
