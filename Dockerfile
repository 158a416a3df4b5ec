# syntax=docker/dockerfile:1
# newsmill: a small image holding one static binary, running `crawl serve` as a non-root user.
#   docker build --build-arg VERSION=$(git describe --tags --always) --build-arg REVISION=$(git rev-parse HEAD) -t newsmill .
#   docker run -d -v ./configs/container.yaml:/config/newsmill.yaml:ro -v newsmill-data:/data -p 127.0.0.1:9464:9464 newsmill
# The config must say `listen: 0.0.0.0:9464` for the published port to reach /metrics, and keep
# store and output under /data: configs/container.yaml does. See docs/operations.md.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# .git is not sent to the builder (.dockerignore), so the version and revision come as build
# arguments; left empty, `crawl version` says "(devel)" and "unknown".
ARG VERSION=""
ARG REVISION=""
# The same flags as .ci/dockerfile-check, which builds the binary CI can check without an engine.
ENV CGO_ENABLED=0
RUN go build -trimpath -ldflags "-s -w -X main.Version=${VERSION} -X main.Revision=${REVISION}" -o /out/crawl ./cmd/crawl
# An empty /data owned by the runtime user: a named volume takes its owner from the image.
RUN mkdir -p /out/data

# distroless/static: CA certificates and time zone data for https sources, a nonroot user
# (65532), no shell and no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/crawl /usr/local/bin/crawl
COPY --from=build --chown=65532:65532 /out/data /data
USER nonroot:nonroot
VOLUME ["/config", "/data"]
EXPOSE 9464
# No curl in the image: the binary asks serve's /healthz itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/crawl", "health", "--config", "/config/newsmill.yaml"]
ENTRYPOINT ["/usr/local/bin/crawl"]
CMD ["serve", "--config", "/config/newsmill.yaml"]
