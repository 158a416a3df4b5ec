package main

import (
	"io"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.uber.org/zap"

	"github.com/newsmill/newsmill/config"
)

// Option groups: flags that several commands share, each bound by one AddFlags so their names,
// usage and shell completion are written once. storeFlags (tools.go) is the store tools' group.

// configFlags are the flags of the commands that run from a config (crawl, serve, worker,
// enqueue, sink): --config FILE and --log-level. The logger of such a command is
// configLogger(w, o.LogLevel, cfg): the flag wins over the config's log_level.
type configFlags struct {
	Config   string
	LogLevel string
}

// AddFlags binds --config, which usage says what this command reads it for, and --log-level,
// and offers their values to the shell.
func (o *configFlags) AddFlags(cmd *cobra.Command, usage string) {
	fs := cmd.Flags()
	fs.StringVar(&o.Config, "config", "", usage)
	fs.StringVar(&o.LogLevel, "log-level", "", "log `LEVEL`: debug, info, warn or error (default info, or the config's log_level)")
	_ = cmd.MarkFlagFilename("config", "yaml", "yml")
	_ = cmd.RegisterFlagCompletionFunc("log-level", cobra.FixedCompletions([]string{"debug", "info", "warn", "error"}, cobra.ShellCompDirectiveNoFileComp))
}

// lockTimeoutFlag is --lock-timeout; who may hold the store differs by command.
func lockTimeoutFlag(fs *pflag.FlagSet, p *time.Duration, holder string) {
	fs.DurationVar(p, "lock-timeout", 0, "wait up to this `DURATION` for "+holder+" to release the store (default 10s, or the config's lock_timeout)")
}

// stringsFlag is a repeatable string flag (--url, --id): pflag's StringArray, which takes each
// value whole (a StringSlice would split URLs at commas).
func stringsFlag(fs *pflag.FlagSet, p *[]string, name, usage string) {
	fs.StringArrayVar(p, name, nil, usage)
}

// logger is the command's logger: --log-level wins, else cfg's log_level (cfg may be nil),
// else info.
func (o configFlags) logger(w io.Writer, cfg *config.Config) (*zap.Logger, error) {
	return configLogger(w, o.LogLevel, cfg)
}
