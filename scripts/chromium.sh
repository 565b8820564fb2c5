#!/usr/bin/env bash
# Headless Chromium and its WebDriver from Debian's packages (installed when missing), for the
# website widget's end-to-end test. Prints the two paths: CHROMIUM CHROMEDRIVER.
set -euo pipefail

find_binaries() {
  chromium="$(command -v chromium || true)"
  driver="$(command -v chromedriver || true)"
  [ -n "$driver" ] || { [ -x /usr/bin/chromedriver ] && driver=/usr/bin/chromedriver; } || true
}

find_binaries
if [ -z "$chromium" ] || [ -z "$driver" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Chromium is not installed; run as root, or: sudo apt-get install chromium chromium-driver" >&2
    exit 1
  fi
  echo "Installing Chromium and chromium-driver from Debian's packages …" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  find_binaries
fi
echo "$chromium $driver"
