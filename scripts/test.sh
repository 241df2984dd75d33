#!/usr/bin/env bash
# The test command: installs dependencies, builds kiln and runs every test, unit and
# integration (root, crun, overlayfs), runs each libFuzzer target for a minute, then all of them
# again built with ASan+UBSan.
# Idempotent. Usage (as root): scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/fixtures.sh
scripts/build.sh default
ctest --preset default -j 2 --timeout 600
scripts/fuzz.sh "${KILN_FUZZ_SECONDS:-60}"  # 4 libFuzzer targets, 60 s each
if [ "${KILN_SKIP_ASAN:-0}" != 1 ]; then
  scripts/build.sh asan
  ctest --preset asan -j 2 --timeout 600
fi
