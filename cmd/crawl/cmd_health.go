package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/newsmill/newsmill/config"
)

type healthOptions struct {
	Config  string
	Addr    string
	Timeout time.Duration
}

func newHealthCommand(env Env) *cobra.Command {
	var o healthOptions
	cmd := &cobra.Command{
		Use:   "health [--config FILE | --addr HOST:PORT]",
		Short: "Exit 0 when a running serve's /healthz answers 200",
		Long: `Ask a running serve's /healthz and exit 0 only when it answers 200 (it prints "ok"); exit 1
otherwise. It is the container's HEALTHCHECK: the image has no shell or curl, only this
binary. The address is the config's listen (asked on loopback when it is every interface),
--addr, or 127.0.0.1:9464.`,
		Example: `  crawl health --config /config/newsmill.yaml
  crawl health --addr 127.0.0.1:9464 --timeout 1s`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runHealth(cmd.Context(), o, env)
		},
	}
	o.register(cmd.Flags())
	_ = cmd.MarkFlagFilename("config", "yaml", "yml")
	return cmd
}

func (o *healthOptions) register(fs *pflag.FlagSet) {
	fs.StringVar(&o.Config, "config", "", "ask the serve of this config `FILE` (its listen address)")
	fs.StringVar(&o.Addr, "addr", "", "ask the serve listening at `HOST:PORT` instead")
	fs.DurationVar(&o.Timeout, "timeout", 3*time.Second, "give up after this long")
}

// runHealth asks a running serve's /healthz and exits 0 only on 200. It is the container's
// HEALTHCHECK: the image has no shell or curl, only this binary.
func runHealth(ctx context.Context, opts healthOptions, env Env) error {
	addr := opts.Addr
	switch {
	case addr == "" && opts.Config == "":
		addr = config.DefaultListen
	case addr == "":
		cfg, err := config.Load(opts.Config)
		if err != nil {
			return err
		}
		addr = cfg.Listen
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%w: address %q is not host:port", ErrUsage, addr)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1" // serve listens on every interface; ask it on this host's loopback
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	u := "http://" + net.JoinHostPort(host, port) + "/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnhealthy, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: %s answered %s: %s", ErrUnhealthy, u, resp.Status, body)
	}
	fmt.Fprintf(env.Stdout, "%s", body)
	return nil
}
