#!/usr/bin/env bash
# Builds everything and runs every test. This is the README's test command and what CI runs.
#
#   scripts/test.sh                    warnings as errors, build/ (RelWithDebInfo)
#   CTI_SANITIZE="address;undefined" scripts/test.sh build-asan
#                                      the same suite under ASan+UBSan
#   scripts/test.sh --fuzz             also a clang build that fuzzes each parser briefly
set -euo pipefail
cd "$(dirname "$0")/.."

fuzz=0
args=()
for a in "$@"; do
  case "$a" in
    --fuzz) fuzz=1 ;;
    *) args+=("$a") ;;
  esac
done
build_dir=${args[0]:-build}
jobs=${CTI_JOBS:-$(nproc)}

scripts/setup.sh

# Warnings are errors in the plain build. Under sanitizers g++ reports false positives
# (-Wmaybe-uninitialized inside libstdc++), so that build checks run-time behaviour only.
werror=ON
[ -n "${CTI_SANITIZE:-}" ] && werror=OFF
cmake -S . -B "$build_dir" -DCTI_WARNINGS_AS_ERRORS=$werror -DCTI_SANITIZE="${CTI_SANITIZE:-}" >/dev/null
cmake --build "$build_dir" -j "$jobs"
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" --timeout 300

if ((fuzz)) && command -v clang++ >/dev/null; then
  CXX=clang++ cmake -S . -B build-fuzz -DCTI_BUILD_FUZZERS=ON -DCTI_BUILD_APPS=OFF \
    -DCTI_BUILD_EXAMPLES=OFF >/dev/null
  cmake --build build-fuzz -j "$jobs"
  ctest --test-dir build-fuzz --output-on-failure -L fuzz --timeout 600
fi
