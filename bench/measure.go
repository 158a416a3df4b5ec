package main

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
)

// usage is what the kernel says a finished process cost.
type usage struct {
	WallNS   int64 `json:"wall_ns"`
	CPUNS    int64 `json:"cpu_ns"`
	MaxRSSKB int64 `json:"maxrss_kb"`
	Exit     int   `json:"exit"`
}

const usagePrefix = "NEWSMILL-BENCH-USAGE "

// measureBin is cmd/measure, built by run. A child's ru_maxrss includes its parent's RSS at the
// moment of exec (Linux keeps the high-water mark of the address space it replaces, and Go
// starts children with CLONE_VM): measured from the bench process, which holds a 20,000-page
// site and two other extractors, every crawl would look 60 to 250 MB big. A small process in
// between keeps the figure the crawler's own.
var measureBin string

// measured runs bin args through cmd/measure and returns its usage, stdout (without the usage
// line) and stderr.
func measured(bin string, args ...string) (usage, string, string, error) {
	cmd := exec.Command(measureBin, append([]string{"--", bin}, args...)...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return usage{}, out.String(), errb.String(), fmt.Errorf("%s: %v\n%s", bin, err, tail(errb.String()))
	}
	s := out.String()
	i := strings.LastIndex(s, usagePrefix)
	if i < 0 {
		return usage{}, s, errb.String(), fmt.Errorf("no usage line from measure")
	}
	var u usage
	if err := json.Unmarshal([]byte(strings.TrimSpace(s[i+len(usagePrefix):])), &u); err != nil {
		return u, s, errb.String(), err
	}
	if u.Exit != 0 {
		return u, s[:i], errb.String(), fmt.Errorf("%s exited %d\n%s", bin, u.Exit, tail(errb.String()))
	}
	return u, strings.TrimSuffix(s[:i], "\n"), errb.String(), nil
}

func tail(s string) string {
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}
