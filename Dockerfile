# The relay service image: `tethr-sf relay serve` on Node 22, as a non-root user.
#   docker build -t tethr-relay .
#   docker run --rm -e TETHR_DATABASE_URL=... -e TETHR_API_URL=... -e TETHR_API_CLIENT_ID=... \
#     -e TETHR_API_CLIENT_SECRET=... -e TETHR_SF_CONSUMER_KEY=... -e TETHR_SF_CONSUMER_SECRET=... \
#     -p 9464:9464 tethr-relay
# Kubernetes: deploy/kubernetes/relay.yaml. The same image runs any other command:
#   docker run --rm ... tethr-relay relay orgs list

# Build: the compiled CLI in lib/ (npm run build needs the dev dependencies: TypeScript, oclif).
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY scripts ./scripts
COPY messages ./messages
RUN npm run build

# Run: production dependencies, the compiled CLI and its messages, nothing else.
FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    SF_DISABLE_TELEMETRY=true \
    SF_AUTOUPDATE_DISABLE=true \
    SF_USE_GENERIC_UNIX_KEYCHAIN=true
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no install script is needed at run time (the image brings Node 22 itself).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/lib ./lib
COPY --from=build /app/oclif.manifest.json ./
COPY bin ./bin
COPY messages ./messages

# The official image's unprivileged user (uid 1000). Nothing under /app is writable by it; the
# relay writes only to its database, Tethr, and (ndjson sinks) paths you mount.
USER node
EXPOSE 9464
ENTRYPOINT ["node", "bin/tethr-sf.js"]
CMD ["relay", "serve", "--http-port", "9464"]
