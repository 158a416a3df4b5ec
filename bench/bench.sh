#!/bin/sh
# Prints newsmill's performance table (see README.md, "Performance"): the machine's cores and
# CPU, extraction beside x/net/html, newsmill beside go-trafilatura and go-readability, the real
# binary crawling a generated site on loopback, the store at 1M ids, a backfill.
# Usage: bench/bench.sh [-quick]
set -eu
cd "$(dirname "$0")"
export PATH="/usr/local/go/bin:$PATH"
exec go run . -repo .. "$@"
