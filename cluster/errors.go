package cluster

import "errors"

// ErrConnect is returned when no NATS server of the config answers, or one refuses the
// credentials or TLS settings.
var ErrConnect = errors.New("cannot reach the nats servers")

// ErrSetup is returned when the streams, consumers or buckets cannot be created or do not have
// the settings this version needs (another version of newsmill made them differently).
var ErrSetup = errors.New("cannot set up the jetstream streams")

// ErrResume is returned by the sink when its output folder holds lines it cannot place in the
// record stream (a folder written by another cluster or prefix).
var ErrResume = errors.New("cannot resume the sink")
