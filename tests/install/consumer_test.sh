#!/usr/bin/env bash
# Installs the build tree into a scratch prefix, builds examples/consumer against it with
# find_package(cti), and runs it.
set -euo pipefail
build_dir=$1
source_dir=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

cmake --install "$build_dir" --prefix "$scratch/prefix" >/dev/null
cmake -S "$source_dir/examples/consumer" -B "$scratch/build" -DCMAKE_PREFIX_PATH="$scratch/prefix" >/dev/null
cmake --build "$scratch/build" >/dev/null
out=$("$scratch/build/ivr_to_plan" "Case.CaseNumber=1234" "+1 (212) 842-5500")
echo "$out"
grep -q "CaseNumber = '00001234'" <<<"$out"
grep -q "FIND {2128425500} IN PHONE FIELDS" <<<"$out"
# headers must not drag in Poco or yaml-cpp
if grep -rlE '#include <(Poco|yaml-cpp)/' "$scratch/prefix/include"; then
  echo "public headers include Poco or yaml-cpp" >&2
  exit 1
fi
