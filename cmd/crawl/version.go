package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version and Revision are stamped at build time by `make build` and the Dockerfile:
//
//	-ldflags "-X main.Version=… -X main.Revision=…"
//
// Left empty (go build, go install), they are read from the binary's build info: the module
// version a `go install …@v1.2.0` records, and the VCS revision Go stamps unless -buildvcs=false.
var (
	Version  string
	Revision string
)

// build is what the binary knows about itself.
type build struct {
	Version   string // module version, "(devel)" for a build from a checkout, or the stamped one
	Revision  string // VCS commit, "+dirty" when built from a modified tree; "unknown" if nobody said
	GoVersion string
}

func buildInfo() build {
	b := build{Version: Version, Revision: Revision, GoVersion: runtime.Version()}
	if info, ok := debug.ReadBuildInfo(); ok {
		if b.Version == "" {
			b.Version = info.Main.Version
		}
		if b.Revision == "" {
			var rev, dirty string
			for _, s := range info.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					if s.Value == "true" {
						dirty = "+dirty"
					}
				}
			}
			if rev != "" {
				b.Revision = rev + dirty
			}
		}
	}
	if b.Version == "" {
		b.Version = "(devel)"
	}
	if b.Revision == "" {
		b.Revision = "unknown"
	}
	return b
}

func versionLine() string {
	b := buildInfo()
	return fmt.Sprintf("crawl %s (newsmill, revision %s, %s, record schema %d)", b.Version, b.Revision, b.GoVersion, schemaVersion)
}

type versionOptions struct{}

func newVersionCommand(env Env) *cobra.Command {
	var o versionOptions
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, VCS revision and Go version of this binary",
		Long: `Print what this binary is: the module version (a tag for a released or go-installed build,
"(devel)" for a build from a checkout), the VCS revision it was built from, the Go version,
and the record schema version it writes. The same as crawl --version.`,
		Example: "  crawl version",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVersion(cmd.Context(), o, env)
		},
	}
}

func runVersion(_ context.Context, _ versionOptions, env Env) error {
	_, err := fmt.Fprintln(env.Stdout, versionLine())
	return err
}
