package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/newsmill/newsmill/internal/redact"
	"github.com/newsmill/newsmill/pipeline"
)

// Env is what a command reads and writes besides its arguments.
type Env struct {
	Stdin  io.Reader // --urls-from -; os.Stdin when nil
	Stdout io.Writer
	Stderr io.Writer
}

func (e Env) stdin() io.Reader {
	if e.Stdin == nil {
		return os.Stdin
	}
	return e.Stdin
}

// Main runs the command line args (without the program name) and returns the exit status.
// Errors are one line on stderr, "crawl: <what went wrong>", for cron mail.
func Main(ctx context.Context, args []string, env Env) int {
	if len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd) {
		// The shells ask for completions with flag descriptions, which are the flags' usage
		// strings: their back-quoted argument names (`YAML`) are pflag's markup for help, and
		// zsh and fish would show the quotes.
		env.Stdout = unquoteWriter{env.Stdout}
	}
	root := newRoot(env)
	// The archive's warcinfo records name the build that wrote them.
	b := buildInfo()
	pipeline.Software = fmt.Sprintf("newsmill %s (revision %s, %s)", b.Version, b.Revision, b.GoVersion)
	root.SetArgs(longFlags(root, args))
	err := root.ExecuteContext(ctx)
	var printed silent
	if err != nil && !errors.As(err, &printed) {
		fmt.Fprintf(env.Stderr, "crawl: %s\n", redact.String(oneLine(err)))
	}
	return ExitCode(err)
}

// newRoot is the command tree. The root itself is the crawl (`crawl --url …`, `crawl --config
// …`), as it always was; every other command is a subcommand listed here, explicitly.
func newRoot(env Env) *cobra.Command {
	root := newCrawlCommand(env)
	root.AddCommand(
		newServeCommand(env),
		newStatsCommand(env),
		newExportCommand(env),
		newReextractCommand(env),
		newForgetCommand(env),
		newHealthCommand(env),
		newVersionCommand(env),
		newWorkerCommand(env),
		newEnqueueCommand(env),
		newSinkCommand(env),
		newExtractCommand(env),
	)
	root.SetOut(env.Stdout) // help and completion scripts, when asked for, go to stdout
	root.SetErr(env.Stderr)
	root.SetIn(env.stdin())
	// Errors are printed by Main, one line; the usage comes only with --help.
	root.SilenceErrors = true
	root.SilenceUsage = true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		if strings.Contains(err.Error(), "'v' in -v") {
			return fmt.Errorf("%w: %v: --version prints the version, --log-level debug logs every request (see %s --help)", ErrUsage, err, c.CommandPath())
		}
		return fmt.Errorf("%w: %v (see %s --help)", ErrUsage, err, c.CommandPath())
	})
	root.SetHelpCommand(newHelpCommand())
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			// Without a shell cobra's completion command prints its help and exits 0; a script
			// asking for an unknown shell should hear about it.
			c.Args = func(cmd *cobra.Command, args []string) error {
				if len(args) == 0 {
					return nil
				}
				return fmt.Errorf("%w: crawl completion: unknown shell %q (bash, zsh, fish or powershell)", ErrUsage, strings.Join(args, " "))
			}
			c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
			c.Example = `  source <(crawl completion bash)                        # this shell (needs bash-completion)
  crawl completion bash > /etc/bash_completion.d/crawl   # every new bash
  crawl completion zsh > "${fpath[1]}/_crawl"
  crawl completion fish > ~/.config/fish/completions/crawl.fish`
		}
	}
	// --version without cobra's -v: wget, curl and trafilatura users type -v for verbose, and a
	// version line instead of a crawl would puzzle them. -v is then an unknown flag (exit 2).
	root.Flags().Bool("version", false, "print the version and exit")
	root.Version = versionLine()
	root.SetVersionTemplate("{{.Version}}\n")
	return root
}

// newHelpCommand is `crawl help [COMMAND]`: cobra's, except that an unknown topic is a usage
// error (exit 2) rather than the root's help and exit 0.
func newHelpCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Long:  "Help about any command: what it does, its flags and examples, on stdout.",
		Example: `  crawl help serve
  crawl help | less`,
		ValidArgsFunction: func(c *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var names []cobra.Completion
			if len(args) == 0 {
				for _, s := range c.Root().Commands() {
					if s.IsAvailableCommand() {
						names = append(names, s.Name())
					}
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := c.Root().Find(args)
			if err != nil || cmd == nil || len(rest) > 0 {
				return fmt.Errorf("%w: no help topic %q; commands: %s", ErrUsage, strings.Join(args, " "), commandNames(c.Root()))
			}
			return cmd.Help()
		},
	}
}

// noArgs refuses positional arguments with a usage error (exit 2) that suggests a subcommand
// for a near miss ("crawl serv").
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	hint := ""
	if !cmd.HasParent() {
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			hint = fmt.Sprintf("; did you mean %q?", s[0])
		} else {
			hint = " (URLs go after --url; commands: " + commandNames(cmd) + ")"
		}
	}
	where := ""
	if cmd.HasParent() {
		where = cmd.CommandPath() + ": "
	}
	return fmt.Errorf("%w: %sunexpected argument %q%s", ErrUsage, where, strings.Join(args, " "), hint)
}

// commandNames lists root's subcommands for an error, from the tree itself: a new command is
// named there without a second list to keep.
func commandNames(root *cobra.Command) string {
	var names []string
	for _, s := range root.Commands() {
		if s.IsAvailableCommand() || s.Name() == "help" {
			names = append(names, s.Name())
		}
	}
	return strings.Join(names, ", ")
}

// longFlags accepts the single-dash long flags the standard flag package took before
// (`crawl -config FILE`, as old cron lines have it) by writing them with two dashes. No command
// has one-letter flags besides -h, so "-config" can mean nothing else.
func longFlags(root *cobra.Command, args []string) []string {
	names := map[string]bool{"help": true, "version": true} // cobra adds these when it runs
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) { names[f.Name] = true })
		c.PersistentFlags().VisitAll(func(f *pflag.Flag) { names[f.Name] = true })
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if a == "--" {
			copy(out[i:], args[i:])
			break
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' {
			name, _, _ := strings.Cut(a[1:], "=")
			if names[name] {
				out[i] = "-" + a
			}
		}
	}
	return out
}

// oneLine keeps an error to the single line cron mail shows in its subject and first line.
func oneLine(err error) string {
	return strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
}

// unquoteWriter drops the back quotes of flag usage strings from what it writes.
type unquoteWriter struct{ w io.Writer }

func (u unquoteWriter) Write(p []byte) (int, error) {
	if _, err := u.w.Write(bytes.ReplaceAll(p, []byte("`"), nil)); err != nil {
		return 0, err
	}
	return len(p), nil
}
