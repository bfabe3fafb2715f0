#!/usr/bin/env bash
# Installs Debian's liblmdb-dev (and pkg-config) when `pkg-config lmdb` cannot find LMDB.
set -euo pipefail
if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists lmdb; then
    exit 0
fi
echo "installing liblmdb-dev (LMDB's C library and headers)…" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq liblmdb-dev pkg-config >/dev/null
pkg-config --exists lmdb
