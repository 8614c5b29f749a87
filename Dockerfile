# Pistages server/worker image. Build: docker build -t pistages .
# The base image is pinned by digest, so a build uses the image that was reviewed. Refresh it with:
#   docker buildx imagetools inspect node:20-bookworm-slim --format '{{json .Manifest.Digest}}'
# or: docker pull node:20-bookworm-slim && docker inspect --format '{{index .RepoDigests 0}}' node:20-bookworm-slim
# and replace the digest below (or pass --build-arg NODE_IMAGE=node:20-bookworm-slim@sha256:...).
ARG NODE_IMAGE=node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle-cli.ts scripts/bundle-checks.ts ./scripts/
COPY src ./src
COPY schema ./schema
# dist/cli (tsc) and the CLI bundle dist/bundle (postbuild), which bin/pistages runs
RUN npm run build && npm prune --omit=dev

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
# Local state (only the embedded database uses it), owned by the unprivileged user below.
ENV PISTAGES_DATA_DIR=/var/lib/pistages
RUN mkdir -p /var/lib/pistages && chown node:node /var/lib/pistages
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY schema ./schema
COPY examples ./examples
# Jobs run as sibling containers on the engine behind DOCKER_HOST / the mounted socket; the socket's
# group is added at run time (docker-compose.yml: group_add with DOCKER_GID).
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PISTAGES_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/pistages"]
CMD ["serve"]
