package natstest

import (
	"fmt"
	"io"
	"net"
	"testing"
	"time"
)

func TestARestartWhoseOldPortIsStillHeldWaitsForItAndServesOnIt(t *testing.T) {
	s := Start(t)
	s.Stop()
	// Another process holds the port for a second, as a listener in TIME_WAIT or a test of
	// another package might.
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", s.port))
	if err != nil {
		t.Skipf("the port was taken by someone else first: %v", err)
	}
	go func() { time.Sleep(time.Second); ln.Close() }()
	s.Restart()
	c, err := net.DialTimeout("tcp", s.URL()[len("nats://"):], 5*time.Second)
	if err != nil {
		t.Fatalf("restarted server not reachable at %s: %v", s.URL(), err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b := make([]byte, 4)
	if _, err := io.ReadFull(c, b); err != nil || string(b) != "INFO" {
		t.Fatalf("%s answered %q (%v), not a NATS server's INFO", s.URL(), b, err)
	}
}
