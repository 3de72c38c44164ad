# syntax=docker/dockerfile:1
# Build stage: native addons (bcrypt, better-sqlite3) compile here, dev dependencies stay here.
# Node 22 LTS (maintained until April 2027), not 24: on Node 24.19+ better-sqlite3 12 aborts the
# process when the GC finalises a statement (node::ObjectWrap's cleanup hook, WiseLibs/better-sqlite3
# #1515), and better-sqlite3 13, which fixes it, needs Node 22+ and crashes on Node 20, where this
# project is still developed and tested. Move to Node 24 together with better-sqlite3 13.
FROM node:22-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json knexfile.ts ./
COPY src ./src
COPY migrations ./migrations
# The account page's API client (clients/js), compiled beside the pages by the build.
COPY clients/js ./clients/js
RUN npm run build && npm prune --omit=dev

# Runtime stage: compiled JavaScript and production dependencies only, as the unprivileged `node` user.
FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 3000
# Probes the port the service listens on: PORT may be changed at `docker run -e PORT=…`.
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD ["node", "-e", "const h = process.env.HOST || '0.0.0.0'; const host = h === '0.0.0.0' || h === '::' ? '127.0.0.1' : h.includes(':') ? '[' + h + ']' : h; fetch('http://' + host + ':' + (process.env.PORT || 3000) + '/readyz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
