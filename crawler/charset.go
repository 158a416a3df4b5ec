package crawler

import (
	"bytes"
	"fmt"

	"golang.org/x/net/html/charset"
)

// Decode returns body as UTF-8, by BOM, header or <meta>.
func Decode(contentType string, body []byte) ([]byte, string, error) {
	enc, name, _ := charset.DetermineEncoding(body, contentType)
	if name == "utf-8" {
		return bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), name, nil
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, name, fmt.Errorf("decode %s: %w", name, err)
	}
	return out, name, nil
}
