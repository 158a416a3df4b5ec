package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"

	"github.com/newsmill/newsmill/internal/regular"
)

// bbolt maps the file and trusts its meta pages: a file truncated after a crash or a bad copy
// makes it fault (SIGBUS) on a page past the end, which no recover() catches. precheck reads the
// two meta pages the way bbolt does and refuses a file shorter than the pages they claim.
const (
	boltMagic     = 0xED0CDAED
	pageHeaderLen = 16
	metaLen       = 56 // up to, not including, the checksum
)

type metaPage struct {
	pageSize uint32
	pgid     uint64 // high-water mark: pages the file must hold
	txid     uint64
}

func readMeta(b []byte) (metaPage, bool) {
	if len(b) < pageHeaderLen+metaLen+8 {
		return metaPage{}, false
	}
	m := b[pageHeaderLen:]
	if binary.LittleEndian.Uint32(m[0:]) != boltMagic {
		return metaPage{}, false
	}
	h := fnv.New64a()
	h.Write(m[:metaLen])
	if h.Sum64() != binary.LittleEndian.Uint64(m[metaLen:]) {
		return metaPage{}, false
	}
	return metaPage{
		pageSize: binary.LittleEndian.Uint32(m[8:]),
		pgid:     binary.LittleEndian.Uint64(m[40:]),
		txid:     binary.LittleEndian.Uint64(m[48:]),
	}, true
}

func precheck(path string) error {
	// Stat before open: opening a named pipe blocks until a writer comes, and a directory or
	// device is no store either.
	if err := regular.Check(path); errors.Is(err, regular.ErrNotRegular) {
		return fmt.Errorf("open store: %w", err)
	}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil // a new store
	}
	if err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	if st.IsDir() {
		return fmt.Errorf("open store %s: %w: it is a directory", path, ErrNotFile)
	}
	if st.Size() == 0 {
		// Stores are created whole (see create); an empty file is a store someone emptied or
		// a file that never was one. Taking it as new would emit every article again.
		return fmt.Errorf("open store %s: %w (0 bytes): remove it to start a new store, or restore the store from a backup", path, ErrEmpty)
	}
	head := make([]byte, 4096+pageHeaderLen+metaLen+8)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	m0, ok0 := readMeta(head)
	var m1 metaPage
	ok1 := false
	if ok0 && int(m0.pageSize) < len(head) {
		m1, ok1 = readMeta(head[m0.pageSize:])
	} else if !ok0 {
		// the first meta page is damaged: the second sits one page on, at the OS page size
		if len(head) > 4096 {
			m1, ok1 = readMeta(head[4096:])
		}
	}
	var use metaPage
	switch {
	case ok0 && ok1:
		use = m0
		if m1.txid > m0.txid {
			use = m1
		}
	case ok0:
		use = m0
	case ok1:
		use = m1
	default:
		return fmt.Errorf("open store %s: %w: no valid bbolt meta page (not a newsmill store?)", path, ErrCorrupt)
	}
	if need := int64(use.pgid) * int64(use.pageSize); st.Size() < need {
		return fmt.Errorf("open store %s: %w: file is %d bytes, its pages need %d (truncated?)", path, ErrCorrupt, st.Size(), need)
	}
	return nil
}
