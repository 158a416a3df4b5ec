package article

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
)

var linePool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Marshal encodes a record as its JSONL line (docs/schema.md) without the newline, leaving <, >
// and & as they are. The one-machine pipeline and the cluster's workers write the same line
// through it.
func Marshal(rec *Record) ([]byte, error) {
	buf := linePool.Get().(*bytes.Buffer)
	defer linePool.Put(buf)
	buf.Reset()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		return nil, fmt.Errorf("encode record %s: %w", rec.ID, err)
	}
	return bytes.Clone(bytes.TrimRight(buf.Bytes(), "\n")), nil
}
