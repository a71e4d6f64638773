# The relay service image: `tethr-sf relay serve` on Node 22, as a non-root user.
#   docker build -t tethr-relay .
#   docker run --rm -e TETHR_DATABASE_URL=... -e TETHR_API_URL=... -e TETHR_API_CLIENT_ID=... \
#     -e TETHR_API_CLIENT_SECRET=... -e TETHR_SF_CONSUMER_KEY=... -e TETHR_SF_CONSUMER_SECRET=... \
#     -p 9464:9464 tethr-relay
# Kubernetes: deploy/kubernetes/relay.yaml. The same image runs any other command:
#   docker run --rm ... tethr-relay relay orgs list
FROM node:22-bookworm-slim

ENV NODE_ENV=production \
    SF_DISABLE_TELEMETRY=true \
    SF_AUTOUPDATE_DISABLE=true \
    SF_USE_GENERIC_UNIX_KEYCHAIN=true

WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the image's own Node 22 runs the CLI, so the `node` package's binary download
# and the other install scripts are not needed (esbuild, used by tsx, ships its binary as an
# optional dependency).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY scripts ./scripts
COPY messages ./messages

# The official image's unprivileged user (uid 1000). Nothing under /app is writable by it; the
# relay writes only to its database, Tethr, and (ndjson sinks) paths you mount.
USER node
EXPOSE 9464
ENTRYPOINT ["node", "bin/tethr-sf.js"]
CMD ["relay", "serve", "--http-port", "9464"]
