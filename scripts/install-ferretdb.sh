#!/usr/bin/env bash
# Builds FerretDB (a MongoDB-compatible server on SQLite) from the Go module proxy into
# ${FERRETDB_BIN:-/usr/local/bin/ferretdb}. Idempotent. FerretDB's version check needs
# build/version/version.txt, which a plain `go install` leaves empty, so we build from a copy.
set -euo pipefail
version="${FERRETDB_VERSION:-v1.24.2}"
bin="${FERRETDB_BIN:-/usr/local/bin/ferretdb}"
if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "${version}"; then
  exit 0
fi
export PATH="$PATH:/usr/local/go/bin:/usr/lib/go/bin"
command -v go >/dev/null || { echo "install-ferretdb: Go is required (apt-get install golang or see go.dev)" >&2; exit 1; }
src=$(go mod download -json "github.com/FerretDB/FerretDB@${version}" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
cp -r "$src/." "$work/"
chmod -R u+w "$work"
echo "$version" > "$work/build/version/version.txt"
(cd "$work" && CGO_ENABLED=0 go build -trimpath -o "$bin" ./cmd/ferretdb)
"$bin" --version | head -1
