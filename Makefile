# The test command of the README and CI. Everything it needs comes from the Go module proxy.
GO ?= go

.PHONY: test build vet

test: vet
	$(GO) test -count=1 ./...

vet:
	@test -z "$$(gofmt -l . | tee /dev/stderr)" || (echo "gofmt: files above need formatting" && exit 1)
	$(GO) vet ./...

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o bin/crawl ./cmd/crawl

# Performance (README, "Performance"). bench prints one table of every figure; it takes a few
# minutes on 2 cores and fills ~300 MB of temporary files. bench-quick runs the same code at
# tiny sizes. bench-go runs the Go benchmarks of the main module (profile them with
# -cpuprofile/-memprofile, e.g. make bench-go BENCHFLAGS='-cpuprofile cpu.out' PKG=./store).
.PHONY: bench bench-quick bench-go
PKG ?= ./...
BENCHFLAGS ?=

bench:
	./bench/bench.sh

bench-quick:
	./bench/bench.sh -quick

bench-go:
	$(GO) test -run '^$$' -bench . $(BENCHFLAGS) $(PKG)
