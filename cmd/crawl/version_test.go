package main

import (
	"runtime"
	"strings"
	"testing"
)

func TestStampedVersionAndRevisionWinOverTheBuildInfo(t *testing.T) {
	defer func(v, r string) { Version, Revision = v, r }(Version, Revision)
	Version, Revision = "v1.4.0", "0123456789abcdef"
	b := buildInfo()
	if b.Version != "v1.4.0" || b.Revision != "0123456789abcdef" || b.GoVersion != runtime.Version() {
		t.Errorf("build = %+v", b)
	}
	if got := versionLine(); got != "crawl v1.4.0 (newsmill, revision 0123456789abcdef, "+runtime.Version()+", record schema 1)" {
		t.Errorf("version line = %q", got)
	}
}

func TestAnUnstampedBuildSaysWhatItsBuildInfoKnows(t *testing.T) {
	defer func(v, r string) { Version, Revision = v, r }(Version, Revision)
	Version, Revision = "", ""
	b := buildInfo()
	// A test binary has no module version and, under -buildvcs=false, no revision.
	if b.Version == "" || b.Revision == "" || !strings.HasPrefix(b.GoVersion, "go") {
		t.Errorf("empty fields left for the metric's labels: %+v", b)
	}
}
