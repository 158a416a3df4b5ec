package store

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strings"
	"time"
)

// Entries were JSON in format 1 (~200 bytes with the URL and the hex hash); format 2 writes
// them in a compact binary form, read back by decodeEntry along with the old JSON ones, so a
// store written by an older newsmill keeps working.
//
//	0x02 | uvarint FirstSeen (unix seconds) | hash | uvarint len + Source
//
// hash is 0x01 and the 32 raw bytes of a "sha256:<hex>" content hash, or 0x00, uvarint length
// and the string for any other form. FirstURL is not repeated: the record line kept under the
// same id carries it as "url", and the urls bucket maps it back to the id.
const entryV2 = 0x02

// entryV3 (format 5) is entryV2 followed by uvarint Revision.
const entryV3 = 0x03

const sha256Prefix = "sha256:"

func encodeEntry(buf []byte, e Entry) []byte {
	buf = append(buf[:0], entryV3)
	buf = binary.AppendUvarint(buf, uint64(max(e.FirstSeen.Unix(), 0)))
	if raw, ok := rawSHA256(e.ContentHash); ok {
		buf = append(buf, 1)
		buf = append(buf, raw[:]...)
	} else {
		buf = append(buf, 0)
		buf = appendString(buf, e.ContentHash)
	}
	buf = appendString(buf, e.Source)
	return binary.AppendUvarint(buf, uint64(max(e.Revision, 1)))
}

func rawSHA256(h string) (raw [sha256.Size]byte, ok bool) {
	hx, found := strings.CutPrefix(h, sha256Prefix)
	if !found || len(hx) != 2*sha256.Size || strings.ToLower(hx) != hx {
		return raw, false
	}
	_, err := hex.Decode(raw[:], []byte(hx))
	return raw, err == nil
}

func appendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

// decodeEntry reads an entry in either format.
func decodeEntry(v []byte) (Entry, error) {
	var e Entry
	if len(v) > 0 && v[0] == '{' {
		if err := json.Unmarshal(v, &e); err != nil {
			return e, fmt.Errorf("%w: id entry: %v", ErrCorrupt, err)
		}
		e.Revision = max(e.Revision, 1)
		return e, nil
	}
	if len(v) == 0 || (v[0] != entryV2 && v[0] != entryV3) {
		return e, fmt.Errorf("%w: id entry of unknown form", ErrCorrupt)
	}
	d := decoder{b: v[1:]}
	e.FirstSeen = time.Unix(int64(d.uvarint()), 0).UTC()
	switch d.byte() {
	case 1:
		raw := d.bytes(sha256.Size)
		e.ContentHash = sha256Prefix + hex.EncodeToString(raw)
	default:
		e.ContentHash = d.string()
	}
	e.Source = d.string()
	e.Revision = 1
	if v[0] == entryV3 {
		e.Revision = int(d.uvarint())
	}
	if d.bad {
		return Entry{}, fmt.Errorf("%w: id entry truncated", ErrCorrupt)
	}
	return e, nil
}

type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.bad = true
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) bytes(n int) []byte {
	if n < 0 || len(d.b) < n {
		d.bad = true
		return nil
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.bad = true
		return ""
	}
	return string(d.bytes(int(n)))
}

// recordURL is the "url" of a stored record line, "" when there is none.
func recordURL(line []byte) string {
	var r struct {
		URL string `json:"url"`
	}
	if json.Unmarshal(line, &r) != nil {
		return ""
	}
	return r.URL
}

// urlKey is the urls bucket's key for an article URL in format 2: "#", an 8-byte FNV-1a hash of
// the URL up to its last "/", then the rest ("202201212257099936.html"). Format 1 keyed by the
// whole URL (~80 bytes; those keys are still found, see KnownURL). A hash of the whole URL would
// be shorter still, but it scatters each batch's new URLs over the whole tree, and every one
// then rewrites a page of its own; keeping the last segment in order keeps a site's new
// articles, which share a dated folder or a rising number, side by side.
func urlKey(url string) []byte {
	dir, rest := url, ""
	if i := strings.LastIndexByte(url, '/'); i >= 0 {
		dir, rest = url[:i], url[i+1:]
	}
	h := fnv.New64a()
	h.Write([]byte(dir))
	k := make([]byte, 0, 1+8+len(rest))
	k = append(k, '#')
	k = h.Sum(k)
	return append(k, rest...)
}
