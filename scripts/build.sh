#!/usr/bin/env bash
# Configures and builds kiln (preset "default": build/). Usage: scripts/build.sh [PRESET]
# KILN_WERROR=ON (as scripts/test.sh sets it) fails the build on any compiler warning.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-default}
cmake --preset "$preset" -DKILN_WERROR="${KILN_WERROR:-OFF}" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
