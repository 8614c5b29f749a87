#!/usr/bin/env bash
# Installs Debian's PostgreSQL for the embedded database (Pistages runs its own cluster in
# PISTAGES_DATA_DIR; Debian's default cluster is not created) and the unprivileged `pistages` user
# that root processes run that cluster as. Idempotent; needs root.
set -euo pipefail
if ! dpkg-query -W -f='${Status}' postgresql 2>/dev/null | grep -q 'install ok installed'; then
  echo "install-postgresql: installing postgresql"
  # no `main` cluster on port 5432: Pistages starts a private one on a Unix socket
  mkdir -p /etc/postgresql-common/createcluster.d
  echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/pistages.conf
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
if ! getent passwd pistages >/dev/null; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --user-group pistages
fi
ls -d /usr/lib/postgresql/*/bin/postgres >/dev/null
