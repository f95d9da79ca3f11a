# OVOP nomination worker. Built by docker-compose.yml (service `worker`); configured entirely by environment:
# DATABASE_URL, SMTP_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, and TEMPORAL_API_KEY / TEMPORAL_TLS_* (@temporalio/envconfig).
# TypeScript runs through tsx, which is a regular dependency, so the dev dependencies are left out.
FROM node:20.19-bookworm-slim

ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false

WORKDIR /app

# Dependencies first, so source edits do not invalidate this layer.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

# Application source (root-owned, read-only for the runtime user). tsconfig.json keeps tsx's
# module resolution identical to local runs.
COPY tsconfig.json ./
COPY domain ./domain
COPY workflows ./workflows
COPY activities ./activities
COPY common ./common
COPY worker ./worker
COPY client ./client
COPY db ./db
COPY config ./config

# The embedded-mode fallbacks write under .ovop/; keep it writable for the unprivileged user.
RUN mkdir -p /app/.ovop && chown node:node /app/.ovop

USER node

CMD ["npx", "tsx", "worker/main.ts"]
