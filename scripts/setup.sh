#!/usr/bin/env bash
# The one set-up command: the system packages the tests need, then the npm dependencies.
#   bash scripts/setup.sh
# Where Electron's binary cannot be downloaded:
#   ELECTRON_SKIP_BINARY_DOWNLOAD=1 bash scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# openssl + libnss3-tools: the third-party verifiers the tests trust; libsecret-1-dev, python3, make, g++:
# keytar builds from source; dbus + gnome-keyring: a real Secret Service for the keychain tests;
# chromium + fonts: the renderer tests.
PKGS="openssl libnss3-tools gpgsm postfix swaks time libsecret-1-dev python3 make g++ dbus gnome-keyring chromium fonts-ipafont-gothic"

if command -v apt-get >/dev/null 2>&1; then
  missing=""
  for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    echo "setup: installing$missing"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
else
  echo "setup: no apt-get here; install with your package manager: $PKGS" >&2
fi

npm ci --no-audit --no-fund
