# Firebreak: one static binary (musl), run as a non-root user on a minimal base.
#   docker build -t firebreak .
#   docker run --rm -p 3000:3000 --env-file firebreak.env firebreak      # `firebreak serve`
# See docs/deploy.md.

FROM rust:1.95-alpine AS build
# ring (TLS) builds C and assembly; musl is the target of the Alpine toolchain, so the binary is
# static. musl-dev comes with the base image's Alpine release, which the tag pins.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin firebreak \
    && strip target/release/firebreak

# distroless/static: CA certificates (GitHub's TLS is checked against them) and a nonroot user,
# nothing else: no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /src/target/release/firebreak /usr/local/bin/firebreak
# The base image's `nonroot` user.
USER 65532:65532
ENV FIREBREAK_LISTEN=0.0.0.0:3000
EXPOSE 3000
ENTRYPOINT ["/usr/local/bin/firebreak"]
CMD ["serve"]
