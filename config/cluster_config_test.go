package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

const clusterSources = "sources:\n  - name: a\n    seeds: [http://127.0.0.1/]\n"

func TestAClusterConfigNeedsNoStoreAndGetsItsDefaults(t *testing.T) {
	c, err := Parse("/etc/newsmill/c.yaml", []byte("cluster:\n  nats: [nats://127.0.0.1:4222]\n  credentials: n.creds\n"+clusterSources))
	if err != nil {
		t.Fatal(err)
	}
	cl := c.Cluster
	if cl == nil || cl.Prefix != DefaultClusterPrefix || cl.Lease != DefaultClusterLease || cl.MaxDeliver != DefaultClusterMaxDeliver ||
		cl.Concurrency != DefaultClusterConcurrency || cl.Replicas != 1 {
		t.Fatalf("cluster = %+v", cl)
	}
	if cl.Credentials != filepath.Join("/etc/newsmill", "n.creds") {
		t.Errorf("credentials %q not resolved against the config's folder", cl.Credentials)
	}
}

func TestWithoutAClusterSectionStoreAndOutputAreStillRequired(t *testing.T) {
	_, err := Parse("c.yaml", []byte("output: out\n"+clusterSources))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "store: missing") {
		t.Fatalf("err = %v, want store missing", err)
	}
}

func TestABadClusterSectionIsRejectedWithItsLineAndKey(t *testing.T) {
	for _, tc := range []struct{ section, want string }{
		{"cluster:\n  prefix: x\n", "line 1: cluster.nats: missing"},
		{"cluster:\n  nats: [http://127.0.0.1:4222]\n", "line 2: cluster.nats[0]: \"http://127.0.0.1:4222\" is not a nats://"},
		{"cluster:\n  nats: [nats://h:4222]\n  prefix: a.b\n", "line 3: cluster.prefix: \"a.b\" may hold only"},
		{"cluster:\n  nats: [nats://h:4222]\n  tls: {cert: c.pem}\n", "line 3: cluster.tls: cert and key go together"},
		{"cluster:\n  nats: [nats://h:4222]\n  replicas: 7\n", "line 3: cluster.replicas: 7 replicas"},
		{"cluster:\n  nats: [nats://h:4222]\n  lease: -1s\n", "line 3: cluster.lease: must not be negative"},
		{"cluster:\n  nats: [nats://h:4222]\n  leases: 1s\n", "unknown key \"leases\""},
	} {
		_, err := Parse("c.yaml", []byte(tc.section+clusterSources))
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.section, err, tc.want)
		}
	}
}
