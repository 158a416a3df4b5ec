package store

import (
	"syscall"

	bolt "go.etcd.io/bbolt"
)

// releaseEvery is how many store operations pass between two releases of the mapped file;
// releaseBytes how many bytes of records committed. Large records fill the mapping quickly: a
// commit rewrites the leaf it adds to, reading its neighbours' values through the mapping.
const (
	releaseEvery = 1024
	releaseBytes = 64 << 20
)

// maybeRelease drops the store file's pages from this process's resident set now and then.
// bbolt reads the file through a shared read-only mapping, so every page a dedup check or a
// commit touches stays resident: on a long crawl the process's RSS grows with the store file
// although none of it is heap. MADV_DONTNEED on a shared file mapping only unmaps the pages;
// the data stays in the page cache and the next read faults it back in cheaply. It runs inside
// a read transaction, which holds bbolt's mmap lock, so the mapping cannot move under it.
func (s *Store) maybeRelease() {
	if s.ops.Add(1)%releaseEvery != 0 && s.written.Load() < releaseBytes {
		return
	}
	s.written.Store(0)
	_ = s.db.View(func(tx *bolt.Tx) error {
		info := s.db.Info()
		// Errors are ignored: releasing is an optimisation, and the mapping is still valid.
		_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, info.Data, uintptr(tx.Size()), syscall.MADV_DONTNEED)
		return nil
	})
}
