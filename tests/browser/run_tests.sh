#!/usr/bin/env bash
# Runs the softphone's browser tests: installs playwright-core from the lock file when it is
# missing (no browser download), then node's test runner over every *.test.mjs here.
# The binaries come from CTI_SFPROXY, CTI_CTICTL and CTI_SFEMU (default: build/ of the tree);
# screenshots go to CTI_ARTEFACTS (default: build/browser-artefacts).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules/playwright-core ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi
exec node --test --test-concurrency=1 ./*.test.mjs
