# `make test` is the README's test command and what CI runs (.ci/run). Everything it needs comes
# from the Go module proxy.
GO ?= go
FUZZTIME ?= 3s

.PHONY: test test-quick vet race fuzz dockerfile bench-smoke build

test: vet test-quick race fuzz dockerfile bench-smoke

# The unit, golden, fault-server and end-to-end tests (the real binary on loopback), including
# the 40-kill exactly-once test.
test-quick:
	$(GO) test -count=1 ./...

STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
# No production function over cyclomatic 25 (issue 16): past that a function does several jobs.
GOCYCLO ?= github.com/fzipp/gocyclo/cmd/gocyclo@v0.6.0

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go') | tee /dev/stderr)" || (echo "gofmt: files above need formatting" && exit 1)
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	$(GO) run $(GOCYCLO) -over 25 -ignore '_test\.go$$' .

# Every package under the race detector (-short leaves out only the long kill loops, which run
# in test-quick): the stages, the joins (the run lifecycle in process, serve), the cluster.
race:
	$(GO) test -count=1 -race -short ./...

# Every FuzzX target for FUZZTIME each (seed corpora run in test-quick too).
fuzz:
	FUZZTIME=$(FUZZTIME) sh .ci/fuzz

# The Dockerfile linted and its static binary built with the Dockerfile's own flags.
dockerfile:
	bash .ci/dockerfile-check

# Every benchmark once at tiny sizes, so the bench/ module and the table keep working.
bench-smoke:
	bash .ci/bench-smoke

# The version and revision are stamped from git when there is a checkout (GOFLAGS=-buildvcs=false
# or a copied tree leave the build info without them); empty values fall back to the build info.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null)
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null)
CLI := main

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w -X $(CLI).Version=$(VERSION) -X $(CLI).Revision=$(REVISION)" -o bin/crawl ./cmd/crawl

# Performance (README, "Performance"). bench prints one table of every figure; it takes a few
# minutes on 2 cores and fills ~300 MB of temporary files. bench-quick runs the same code at
# tiny sizes. bench-go runs the Go benchmarks of the main module (profile them with
# -cpuprofile/-memprofile, e.g. make bench-go BENCHFLAGS='-cpuprofile cpu.out' PKG=./store).
.PHONY: bench bench-quick bench-go extraction-score
PKG ?= ./...
BENCHFLAGS ?=

bench:
	./bench/bench.sh

bench-quick:
	./bench/bench.sh -quick

bench-go:
	$(GO) test -run '^$$' -bench . $(BENCHFLAGS) $(PKG)

# The generic path scored on ../shared/extraction (public benchmarks, see docs/extractors.md).
extraction-score:
	./bench/extraction.sh
