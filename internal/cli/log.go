package cli

import (
	"fmt"
	"io"
	"os"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"golang.org/x/term"

	"github.com/newsmill/newsmill/internal/config"
)

// configLogger is the logger of a run: the --log-level flag wins, else the config's log_level
// (cfg may be nil), else info.
func configLogger(w io.Writer, flagLevel string, cfg *config.Config) (*zap.Logger, error) {
	if flagLevel == "" && cfg != nil {
		flagLevel = cfg.LogLevel
	}
	return newLogger(w, flagLevel)
}

// newLogger writes JSON lines when stderr is a file or pipe (cron mail, log collectors) and
// readable console lines on a terminal.
func newLogger(w io.Writer, level string) (*zap.Logger, error) {
	lvl := zapcore.InfoLevel
	if level != "" {
		if err := lvl.UnmarshalText([]byte(level)); err != nil {
			return nil, fmt.Errorf("%w: --log-level %q is not one of debug, info, warn, error", ErrUsage, level)
		}
	}
	var enc zapcore.Encoder
	if isTerminal(w) {
		cfg := zap.NewDevelopmentEncoderConfig()
		cfg.EncodeLevel = zapcore.CapitalColorLevelEncoder
		enc = zapcore.NewConsoleEncoder(cfg)
	} else {
		cfg := zap.NewProductionEncoderConfig()
		cfg.EncodeTime = zapcore.ISO8601TimeEncoder
		enc = zapcore.NewJSONEncoder(cfg)
	}
	out := w
	if isTerminal(w) {
		out = clearLine{w}
	}
	core := zapcore.NewCore(enc, zapcore.AddSync(out), lvl)
	return zap.New(core), nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// clearLine erases the terminal's current line before each log entry, so a log line never lands
// on the end of the progress line; the progress line is drawn again on its next tick.
type clearLine struct{ w io.Writer }

func (c clearLine) Write(p []byte) (int, error) {
	if _, err := io.WriteString(c.w, "\r\x1b[K"); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
