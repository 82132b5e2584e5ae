# The emulator as a small, non-root, shell-less image, for amd64 and arm64:
#   docker buildx build --platform linux/amd64,linux/arm64 -t workspace-mockserver .
# Base images are arguments so a build without a registry can substitute
# local stand-ins (see .ci/container-smoke); the defaults are real and pinned.
ARG GO_IMAGE=golang:1.26.8-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot

# The build stage runs on the builder's own platform and cross-compiles for the
# target's (no emulation: CGO_ENABLED=0 makes a static binary for any GOARCH).
FROM --platform=$BUILDPLATFORM ${GO_IMAGE} AS build
ARG TARGETOS TARGETARCH
WORKDIR /src
# Dependencies first: this layer stays cached until go.mod/go.sum change.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# -pgo=auto (go build's default, written out here) uses cmd/mockserver/default.pgo.
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH CGO_ENABLED=0 \
    go build -trimpath -pgo=auto -ldflags="-s -w" -o /out/mockserver ./cmd/mockserver

FROM ${RUNTIME_IMAGE}
COPY --from=build /out/mockserver /mockserver
USER 65532:65532
ENV MOCK_ADDR=:8080
EXPOSE 8080
# Exec form: the runtime image has no shell; the binary checks itself.
HEALTHCHECK --interval=2s --timeout=2s --start-period=10s --retries=3 CMD ["/mockserver", "healthcheck"]
ENTRYPOINT ["/mockserver"]
