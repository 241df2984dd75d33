#!/usr/bin/env bash
# Builds the libFuzzer targets (preset "fuzz": clang, ASan + UBSan; build-fuzz/) and runs each
# for SECONDS (default 60) from its seed corpus fuzz/corpus/<target>/. Fails on the first crash,
# sanitizer report, leak, timeout (30 s for one input) or out-of-memory (2 GB); the input that
# did it is kept as build-fuzz/artifacts/<target>-crash-<sha1> (reproduce: build-fuzz/fuzz/
# <target>_fuzz FILE). New inputs found while running go to a scratch dir, not the tree.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   (targets: workflow_parse expr oci_manifest tar_read reference registry_auth dockerfile)
# KILN_WERROR=ON (as scripts/test.sh sets it) fails the build on any compiler warning.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(workflow_parse expr oci_manifest tar_read reference registry_auth dockerfile)

start=$(date +%s)
cmake --preset fuzz -DKILN_WERROR="${KILN_WERROR:-OFF}" >/dev/null
cmake --build --preset fuzz -j "$(nproc)"
echo "fuzz: built in $(( $(date +%s) - start )) s"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p build-fuzz/artifacts
# act's test workflows seed the workflow parser, read from ../shared/external (not copied here).
act=../shared/external/act-testdata
mkdir -p "$scratch/seeds"
if [ -d "$act" ]; then
  find "$act" -name '*.yml' -size -64k | while IFS= read -r f; do
    cp "$f" "$scratch/seeds/$(echo "${f#"$act"/}" | tr '/ ' '__')"
  done
fi
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t"
  extra=()
  [ "$t" = workflow_parse ] && extra=("$scratch/seeds")
  echo "fuzz: $t for ${seconds} s"
  if ! build-fuzz/fuzz/${t}_fuzz "$scratch/$t" "fuzz/corpus/$t" "${extra[@]}" \
      -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="build-fuzz/artifacts/$t-" -print_final_stats=1 \
      >"$scratch/$t.log" 2>&1; then
    tail -n 60 "$scratch/$t.log" >&2
    echo "fuzz: $t FAILED; the input is in build-fuzz/artifacts/$t-*" >&2
    exit 1
  fi
  grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^Done' "$scratch/$t.log" || true
done
echo "fuzz: ${#targets[@]} targets, no crash"
