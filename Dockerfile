# The image `mqtt-chaos k8s` runs (docs/kubernetes.md): the CLI, its runtime dependencies and
# the shipped scenarios, as a non-root user. Build from the repository root:
#   docker build -t mqtt-chaos:0.1.0 .
# The broker under test runs elsewhere (give --broker): Mosquitto is not in this image.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
# --ignore-scripts: `prepare` would build before the sources are here.
RUN npm ci --ignore-scripts
COPY src ./src
RUN npx tsc -p .

FROM node:20-slim
# tini as PID 1: forwards SIGTERM to the CLI (a deleted Job stops its run as Ctrl-C does) and
# reaps the fault-server processes the harness starts.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
COPY schema ./schema
COPY scenarios ./scenarios
COPY docs ./docs
# node's images have this user (uid 1000); the manifests run as it too.
USER node
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/src/cli/main.js"]
CMD ["--help"]
