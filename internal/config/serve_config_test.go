package config

import (
	"errors"
	"strings"
	"testing"
)

const serveBase = "store: s.db\noutput: out\nsources:\n  - name: a\n    seeds: [http://127.0.0.1/]\n"

func TestAScheduleThatIsNotACronSpecIsRejectedWithItsLineAndKey(t *testing.T) {
	for _, spec := range []string{"every hour", "*/5 * * *", "0 61 * * *", "* * * * * *"} {
		_, err := Parse("c.yaml", []byte(serveBase+"    schedule: \""+spec+"\"\n"))
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("%q: err = %v, want ErrInvalid", spec, err)
		}
		for _, want := range []string{"c.yaml", "line 6", "sources[0].schedule"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%q: error lacks %q: %v", spec, want, err)
			}
		}
	}
}

func TestStandardCronSpecsAndDescriptorsAreAccepted(t *testing.T) {
	for _, spec := range []string{"*/15 * * * *", "0 6 * * 1-5", "@hourly", "30 2 1 * *"} {
		c, err := Parse("c.yaml", []byte(serveBase+"    schedule: \""+spec+"\"\n"))
		if err != nil {
			t.Errorf("%q: %v", spec, err)
			continue
		}
		if c.Sources[0].Schedule != spec || c.Sources[0].Line != 4 {
			t.Errorf("%q: source = %+v", spec, c.Sources[0])
		}
	}
}

func TestListenDefaultsToLoopbackAndMustBeHostPort(t *testing.T) {
	c, err := Parse("c.yaml", []byte(serveBase))
	if err != nil || c.Listen != DefaultListen || !strings.HasPrefix(DefaultListen, "127.0.0.1:") {
		t.Fatalf("listen = %q, %v; want the loopback default", c.Listen, err)
	}
	if c, err := Parse("c.yaml", []byte("listen: \":9100\"\nrun_on_start: true\n"+serveBase)); err != nil || c.Listen != ":9100" || !c.RunOnStart {
		t.Errorf("listen :9100: %+v, %v", c, err)
	}
	_, err = Parse("c.yaml", []byte("listen: localhost\n"+serveBase))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "line 1: listen") {
		t.Errorf("listen without a port: %v", err)
	}
}
