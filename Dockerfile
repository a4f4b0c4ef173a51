# syntax=docker/dockerfile:1

# ---- build ----
FROM rust:1-bookworm AS builder
RUN apt-get update \
 && apt-get install -y --no-install-recommends pkg-config libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Cache mounts keep the registry and target dir between builds (BuildKit).
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --bin rightsdesk \
 && install -m 0755 target/release/rightsdesk /usr/local/bin/rightsdesk

# ---- run ----
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl3 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 rightsdesk \
 && useradd --system --uid 10001 --gid rightsdesk --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin rightsdesk \
 && mkdir -p /data \
 && chown rightsdesk:rightsdesk /data
COPY --from=builder /usr/local/bin/rightsdesk /usr/local/bin/rightsdesk
WORKDIR /data
ENV RIGHTSDESK_BIND=0.0.0.0:8080 \
    RIGHTSDESK_DATA_DIR=/data \
    RUST_LOG=info
VOLUME ["/data"]
EXPOSE 8080
USER rightsdesk
ENTRYPOINT ["rightsdesk"]
CMD ["serve"]
