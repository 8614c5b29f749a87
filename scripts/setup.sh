#!/usr/bin/env bash
# Prepares a fresh Debian machine (as root) to run and test Pistages: Docker engine, FerretDB and
# the PostgreSQL it runs on, npm dependencies and the local images used by examples and tests. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need_packages=()
for pkg in docker.io busybox-static debootstrap git chromium docker-compose; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need_packages+=("$pkg")
done
if [ ${#need_packages[@]} -gt 0 ]; then
  echo "setup: installing ${need_packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_packages[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  echo "setup: starting dockerd"
  mkdir -p /var/log
  nohup dockerd >/var/log/pistages-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "setup: dockerd did not start; see /var/log/pistages-dockerd.log" >&2; exit 1; }
fi

scripts/install-ferretdb.sh
scripts/install-postgresql.sh

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# compiled CLI: bin/pistages runs dist/ while it is newer than src/ (several times faster to start)
echo "setup: npm run build"
npm run build --silent

scripts/build-images.sh
echo "setup: ready"
