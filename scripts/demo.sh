#!/usr/bin/env bash
# The product's main job, on sample data: for each sample inbound call, the Salesforce
# lookups the connector would run to find the caller (ctictl match --plan).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh >/dev/null
cmake -S . -B build >/dev/null
cmake --build build -j "$(nproc)" --target ctictl >/dev/null

while IFS='|' read -r ivr ani; do
  [[ -z "$ivr$ani" || "$ivr" == \#* ]] && continue
  echo "== call: ivr='$ivr' ani='$ani'"
  build/apps/ctictl/ctictl match --plan --ivr "$ivr" --ani "$ani" || true
  echo
done < examples/demo/calls.txt
