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
