package main

import (
	"fmt"
	"io"
	"os"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"golang.org/x/term"

	"github.com/newsmill/newsmill/config"
	"github.com/newsmill/newsmill/internal/redact"
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
	// Lines come from every fetch worker at once; Env.Stderr may be any writer (a buffer in
	// tests, a pipe wrapper in an embedding program), so writes are serialized here.
	core := zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(out)), lvl)
	return zap.New(redactCore{core}), nil
}

// redactCore masks passwords of URLs (http://user:secret@host/) in every message, string field
// and error of a log line: the crawler logs URLs and errors that quote them in many places, and
// a log is read by more people than the config.
type redactCore struct{ zapcore.Core }

func (c redactCore) With(fs []zapcore.Field) zapcore.Core {
	return redactCore{c.Core.With(redactFields(fs))}
}

func (c redactCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}

func (c redactCore) Write(e zapcore.Entry, fs []zapcore.Field) error {
	e.Message = redact.String(e.Message)
	return c.Core.Write(e, redactFields(fs))
}

func redactFields(fs []zapcore.Field) []zapcore.Field {
	out := fs
	for i, f := range fs {
		var r zapcore.Field
		switch {
		case f.Type == zapcore.StringType && redact.String(f.String) != f.String:
			r = zap.String(f.Key, redact.String(f.String))
		case f.Type == zapcore.ErrorType:
			err, ok := f.Interface.(error)
			if !ok || err == nil || redact.String(err.Error()) == err.Error() {
				continue
			}
			r = zap.String(f.Key, redact.String(err.Error()))
		default:
			continue
		}
		if &out[0] == &fs[0] {
			out = append([]zapcore.Field(nil), fs...)
		}
		out[i] = r
	}
	return out
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
