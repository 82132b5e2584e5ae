# The emulator as a small, non-root, shell-less image.
# Base images are arguments so a build without a registry can substitute
# local stand-ins (see .ci/container-smoke); the defaults are real and pinned.
ARG GO_IMAGE=golang:1.26.8-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot

FROM ${GO_IMAGE} AS build
WORKDIR /src
# Dependencies first: this layer stays cached until go.mod/go.sum change.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/mockserver ./cmd/mockserver

FROM ${RUNTIME_IMAGE}
COPY --from=build /out/mockserver /mockserver
USER 65532:65532
ENV MOCK_ADDR=:8080
EXPOSE 8080
# Exec form: the runtime image has no shell; the binary checks itself.
HEALTHCHECK --interval=2s --timeout=2s --start-period=10s --retries=3 CMD ["/mockserver", "healthcheck"]
ENTRYPOINT ["/mockserver"]
