// Package golden compares what a test produced with a file under testdata/. `go test -update`
// rewrites the files instead; the diff then shows in review what changed.
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"
)

// Update is the -update flag of every test binary that imports this package.
var Update = flag.Bool("update", false, "rewrite the golden files under testdata/ instead of comparing")

// Check compares got with the file at path, ignoring white space at either end.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *Update {
		out := append(bytes.TrimRight(bytes.Clone(got), "\n"), '\n')
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test with -update to create it)", err)
	}
	if !bytes.Equal(bytes.TrimSpace(want), bytes.TrimSpace(got)) {
		t.Errorf("differs from %s:\n got: %s\nwant: %s", path, got, want)
	}
}

// JSON compares v, as indented JSON, with the file at path.
func JSON(t testing.TB, path string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	Check(t, path, got)
}
