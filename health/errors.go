package health

import "errors"

// ErrBadExpect is returned by Expect.Validate for a health block with a value out of range.
var ErrBadExpect = errors.New("bad health block")

// ErrBadReport is returned by Unmarshal for stored bytes that are not a report.
var ErrBadReport = errors.New("bad health report")
