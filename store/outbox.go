package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Format 3 keeps one outbox entry per commit, the lines in the order they are written:
//
//	0x03 | uvarint n | n × (uvarint len + target | uvarint len + id | uvarint offset)
//
// Formats 1 and 2 kept one JSON entry per line ({"id":…,"f":…,"o":…}); such entries, left by an
// older binary's crash, are still read. A batch of 256 lines was 256 puts and, at
// acknowledgement, 256 deletes in the outbox; now it is one of each.
const outboxV3 = 0x03

// outboxV4 (store format 5) adds each line's revision after its offset: Recover rewrites a
// line from the revision it was, not from the id's latest.
const outboxV4 = 0x04

func encodeOutbox(pend []Pending) []byte {
	size := 1 + binary.MaxVarintLen64
	for _, p := range pend {
		size += 4*binary.MaxVarintLen64 + len(p.Target) + len(p.ID)
	}
	b := make([]byte, 0, size)
	b = append(b, outboxV4)
	b = binary.AppendUvarint(b, uint64(len(pend)))
	for _, p := range pend {
		b = appendString(b, p.Target)
		b = appendString(b, p.ID)
		b = binary.AppendUvarint(b, uint64(max(p.Offset, 0)))
		b = binary.AppendUvarint(b, uint64(max(p.Revision, 1)))
	}
	return b
}

// decodeOutbox reads the lines of the outbox entry seq, in either format.
func decodeOutbox(seq uint64, v []byte) ([]Pending, error) {
	if len(v) > 0 && v[0] == '{' {
		var p Pending
		if err := json.Unmarshal(v, &p); err != nil {
			return nil, fmt.Errorf("%w: outbox entry %d: %v", ErrCorrupt, seq, err)
		}
		p.Seq = seq
		return []Pending{p}, nil
	}
	if len(v) == 0 || (v[0] != outboxV3 && v[0] != outboxV4) {
		return nil, fmt.Errorf("%w: outbox entry %d of unknown form", ErrCorrupt, seq)
	}
	d := decoder{b: v[1:]}
	n := d.uvarint()
	if n > uint64(len(v)) {
		return nil, fmt.Errorf("%w: outbox entry %d truncated", ErrCorrupt, seq)
	}
	out := make([]Pending, 0, n)
	for range n {
		p := Pending{Seq: seq, Target: d.string(), ID: d.string()}
		p.Offset = int64(d.uvarint())
		p.Revision = 1
		if v[0] == outboxV4 {
			p.Revision = int(d.uvarint())
		}
		out = append(out, p)
	}
	if d.bad || len(d.b) != 0 {
		return nil, fmt.Errorf("%w: outbox entry %d truncated", ErrCorrupt, seq)
	}
	return out, nil
}

// ackIn removes the confirmed lines from their outbox entries, and each entry left empty.
func ackIn(outbox *bolt.Bucket, pend []Pending) error {
	done := map[uint64]map[string]bool{}
	for _, p := range pend {
		if done[p.Seq] == nil {
			done[p.Seq] = map[string]bool{}
		}
		done[p.Seq][lineKey(p)] = true
	}
	for seq, ids := range done {
		if err := keepUnless(outbox, seq, func(p Pending) bool { return ids[lineKey(p)] }); err != nil {
			return err
		}
	}
	return nil
}

// keepUnless rewrites the outbox entry seq without the lines drop matches; it deletes the entry
// when none is left. An entry already gone is no error (acknowledged twice).
func keepUnless(outbox *bolt.Bucket, seq uint64, drop func(Pending) bool) error {
	key := u64(seq)
	v := outbox.Get(key)
	if v == nil {
		return nil
	}
	ps, err := decodeOutbox(seq, v)
	if err != nil {
		return err
	}
	kept := ps[:0]
	for _, p := range ps {
		if !drop(p) {
			kept = append(kept, p)
		}
	}
	switch {
	case len(kept) == 0:
		return outbox.Delete(key)
	case len(kept) == len(ps):
		return nil
	default:
		return outbox.Put(key, encodeOutbox(kept))
	}
}

// lineKey names one line of an outbox entry: an id may have two revisions pending.
func lineKey(p Pending) string { return fmt.Sprintf("%s\x00%d", p.ID, max(p.Revision, 1)) }
