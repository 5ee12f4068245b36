#!/usr/bin/env bash
# Debian packages Saferplan needs, installed only when missing.
#   runtime: the libraries WeasyPrint renders PDFs with (the demo needs them too)
#   serve:   also PostgreSQL (the database of `make serve`; its client tools back up and restore)
#   test:    also PostgreSQL (the test database) and Chromium (the browser tests)
set -euo pipefail
want=()
libs=$(ldconfig -p)
# A here-string, not a pipe: with pipefail, grep -q closing the pipe early would read as "missing".
have_lib() { grep -q "$1" <<<"$libs"; }
have_lib libpango-1.0.so || want+=(libpango-1.0-0)
have_lib libpangoft2-1.0.so || want+=(libpangoft2-1.0-0)
have_lib libharfbuzz-subset.so || want+=(libharfbuzz-subset0)
fc-list >/dev/null 2>&1 && [ -n "$(fc-list 2>/dev/null | head -1)" ] || want+=(fonts-dejavu-core fontconfig)
level=${1:-runtime}
if [ "$level" = "test" ]; then
  command -v chromium >/dev/null || want+=(chromium)
fi
if [ "$level" = "test" ] || [ "$level" = "serve" ]; then
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || want+=(postgresql)
fi
if [ ${#want[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${want[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
fi
