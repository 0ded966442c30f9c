# syntax=docker/dockerfile:1
# One image for the receiver, the worker, the emulator and the CLI: they share every module, and tsx runs the
# TypeScript directly, so there is no build output to keep in step with the source. The first stage installs
# production packages only (with the tools npm needs); the final stage carries no compiler and runs as `node`.
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    WEBHOOK_SECRETS_FILE=/app/.twinflow/webhook-secrets.json
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json index.ts twinflow.config.ts ./
COPY bin ./bin
COPY services ./services
COPY workflows ./workflows
COPY activities ./activities
COPY examples ./examples
RUN mkdir -p /app/.twinflow /app/.data && chown node:node /app/.twinflow /app/.data
USER node
# docker-compose.yml picks the service per container; the worker is the default.
CMD ["node", "--import", "tsx", "services/worker/main.ts"]
