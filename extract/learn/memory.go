package learn

import (
	"bytes"
	"context"
	"sync"
)

// Memory is a Storage in the process's memory: what one run learned, for the runs of a test or
// a crawl without a store.
type Memory struct {
	mu    sync.Mutex
	sites map[string][]byte
}

// NewMemory returns an empty in-memory Storage.
func NewMemory() *Memory { return &Memory{sites: map[string][]byte{}} }

// LoadSite returns a copy of the state saved for host, or nil.
func (m *Memory) LoadSite(_ context.Context, host string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return bytes.Clone(m.sites[host]), nil
}

// SaveSite keeps a copy of state for host; an empty state deletes it.
func (m *Memory) SaveSite(_ context.Context, host string, state []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(state) == 0 {
		delete(m.sites, host)
		return nil
	}
	m.sites[host] = bytes.Clone(state)
	return nil
}
