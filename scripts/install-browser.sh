#!/usr/bin/env bash
# Browser tests (tests/web/test_browser.py) need Debian's chromium and the playwright Python package.
# We never download a browser: no `playwright install`. Usage: bash scripts/install-browser.sh [venv]
set -euo pipefail

VENV="${1:-.venv}"

if [ -x /usr/bin/chromium ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
elif [ "$(id -u)" -eq 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
else
  echo "chromium is missing; as root run:  apt-get update && apt-get install -y chromium" >&2
  echo "(the browser tests skip until /usr/bin/chromium exists)" >&2
fi

if [ -x "$VENV/bin/pip" ]; then
  "$VENV/bin/pip" install --quiet "playwright>=1.45"
else
  python3 -m pip install --quiet "playwright>=1.45"
fi
echo "playwright installed; it will drive /usr/bin/chromium (executable_path), no browser download needed."
