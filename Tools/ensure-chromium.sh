#!/usr/bin/env bash
# Installs Debian's chromium when missing: the tests open the HTML site in headless Chromium.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
echo "installing chromium (the tests read the HTML site in a real, headless browser)…" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null
