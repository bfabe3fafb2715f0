#!/usr/bin/env bash
# Installs Debian's postgresql (server and psql) when missing: the warehouse tests start their own clusters.
set -euo pipefail
if command -v psql >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    exit 0
fi
echo "installing postgresql (the warehouse tests run a real PostgreSQL server)…" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-client >/dev/null
command -v psql >/dev/null
