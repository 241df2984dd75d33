#!/usr/bin/env bash
# The test command: installs dependencies, checks the conventions (clang-format, the layer order
# of docs/architecture.md, clang-tidy), builds kiln and runs every test, unit and integration
# (root, crun, overlayfs), runs each libFuzzer target for a minute, then all the tests again built
# with ASan+UBSan, and the unit tests and the tests that run things at once (names with
# Concurrent or Parallel) built with ThreadSanitizer. Every build fails on a compiler warning.
# Idempotent. Usage (as root): scripts/test.sh
# KILN_FUZZ_SECONDS=N fuzzes N s a target; KILN_SKIP_ASAN=1, KILN_SKIP_TSAN=1 skip those builds.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/fixtures.sh
# The conventions first: they take seconds to minutes and fail on any diff.
scripts/check-format.sh
scripts/check-layers.py
scripts/tidy.sh
export KILN_WERROR=ON
scripts/build.sh default
ctest --preset default -j 2 --timeout 600
scripts/fuzz.sh "${KILN_FUZZ_SECONDS:-40}"  # 5 libFuzzer targets, 40 s each
if [ "${KILN_SKIP_ASAN:-0}" != 1 ]; then
  scripts/build.sh asan
  ctest --preset asan -j 2 --timeout 600
fi
if [ "${KILN_SKIP_TSAN:-0}" != 1 ]; then
  scripts/build.sh tsan
  ctest --preset tsan-unit -j 2 --timeout 600
  ctest --preset tsan-concurrent -j 2 --timeout 600
fi
