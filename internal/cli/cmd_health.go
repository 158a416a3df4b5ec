package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/newsmill/newsmill/internal/config"
)

type healthOptions struct {
	Config  string
	Addr    string
	Timeout time.Duration
}

func (o *healthOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.Config, "config", "", "ask the serve of this config (its listen address)")
	fs.StringVar(&o.Addr, "addr", "", "ask the serve listening here (host:port) instead")
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
