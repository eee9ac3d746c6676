#!/usr/bin/env bash
# Installs the Debian packages the build, the tests and the demo need. Idempotent: packages
# already present are left alone, and apt is only touched when something is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libpoco-dev            # Net, NetSSL, JSON, Util, Data/SQLite, Crypto
  libyaml-cpp-dev libfmt-dev doctest-dev
  libssl-dev openssl libsodium-dev libsqlite3-dev
  clang libclang-rt-14-dev   # libFuzzer and the sanitizer runtimes
  curl                   # the demo signs in and reads the event stream with it
  chromium               # the softphone's browser tests (driven by playwright-core)
  nginx libnginx-mod-nchan   # the peer the load harness measures against
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  # Debian starts nginx as a system service on install; the load harness runs its own
  # instance on loopback, so keep the packaged service from starting (policy-rc.d says no).
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
    "${sudo_cmd[@]}" chmod 755 "$policy"
    own_policy=1
  fi
  status=0
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || status=$?
  [ "$own_policy" -eq 0 ] || "${sudo_cmd[@]}" rm -f "$policy"
  [ "$status" -eq 0 ] || exit "$status"
else
  echo "setup: all packages present"
fi

# Two test suites use packages from the npm registry, pinned by their lock files: the Apex
# syntax check (tests/salesforce: the Apex grammar) and the softphone's browser tests
# (tests/browser: playwright-core driving Debian's Chromium; no browser is ever downloaded).
# A folder whose node_modules is already there is left alone.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if command -v npm >/dev/null 2>&1; then
  for suite in tests/salesforce tests/browser; do
    if [ ! -d "$root/$suite/node_modules" ]; then
      echo "setup: npm ci in $suite"
      (cd "$root/$suite" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null) ||
        { echo "setup: npm ci failed in $suite" >&2; exit 1; }
    fi
  done
else
  echo "setup: npm not found; the Apex syntax and browser tests will not be registered"
fi
