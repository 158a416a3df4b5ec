package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTheArchiveAndTheRecheckWindowAreReadAndCheckedWithTheirLine(t *testing.T) {
	c, err := Parse("/etc/n/a.yaml", []byte("archive: ./warc\n"+base+"    recheck: {within: 48h, every: [30m, 2h, 8h]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Archive != filepath.Join("/etc/n", "warc") {
		t.Errorf("archive %q, want it beside the config", c.Archive)
	}
	r := c.Sources[0].Recheck
	if r.Within != 48*time.Hour || len(r.Every) != 3 || r.Every[2] != 8*time.Hour || !r.On() {
		t.Errorf("recheck read as %+v", r)
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"the archive in the output folder", "archive: ./out\n" + base, "line 1: archive: "},
		{"a recheck step longer than its window", base + "    recheck: {within: 1h, every: [2h]}\n", "line 6: sources[0].recheck: every[0]"},
		{"a recheck without steps", base + "    recheck: {within: 1h}\n", "sources[0].recheck: every must list"},
	} {
		_, err := Parse("a.yaml", []byte(tc.yaml))
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}
