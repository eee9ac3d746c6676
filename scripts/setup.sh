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

# The Apex syntax check (tests/salesforce) parses the example Apex classes with the Apex
# grammar from npm; its lockfile pins the version. Skipped when node_modules is already there.
if command -v npm >/dev/null 2>&1; then
  apex_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/salesforce"
  if [ ! -d "$apex_dir/node_modules" ]; then
    echo "setup: npm ci in tests/salesforce"
    npm ci --prefix "$apex_dir" --no-audit --no-fund >/dev/null
  fi
else
  echo "setup: npm not found; the Apex syntax tests (tests/salesforce) will not run"
fi

# The softphone's browser tests drive Debian's Chromium with playwright-core from the npm
# registry (never a downloaded browser). Installed from the lock file when node is present.
browser_tests="$(dirname "$0")/../tests/browser"
if command -v npm >/dev/null && [ ! -d "$browser_tests/node_modules/playwright-core" ]; then
  echo "setup: npm ci in tests/browser"
  (cd "$browser_tests" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null) ||
    echo "setup: npm ci failed; tests/browser/run_tests.sh will try again" >&2
fi
