#!/usr/bin/env bash
# A workflow of 20 small jobs in a needs graph — 4 layers of 5, each job of layers 2-4 needing
# two jobs of the layer before (jN needs j(N-5) and its neighbour) — on the Debian minbase
# image: `kiln run` (default concurrency: one job per CPU) against the same 20 jobs as one
# `podman run --rm` each (the same rootfs, `podman import`ed), in the same dependency order:
# layer by layer, at most one job per CPU at once. Same run, RUNS rounds, medians, ratio.
# Appends the figures with the command to bench/RESULTS.md (APPEND=0: print only).
# Not part of CI (scripts/test.sh runs no bench/ script).
# Usage: RUNS=3 bench/workflow_graph.sh
source "$(dirname "$0")/common.sh"
RUNS=${RUNS:-3}
APPEND=${APPEND:-1}
CPUS=$(nproc)
cleanup() {
  podman rmi -f kiln-gbench-img >/dev/null 2>&1 || true
  rm -rf "$STATE" "$WORK"
}
trap cleanup EXIT
"$KILN" -q --state-dir "$STATE" image import "$TAR" bench:latest >/dev/null
podman import -q "$TAR" kiln-gbench-img >/dev/null
STEP='echo "job $JOB on $(uname -n)"; ls / >/dev/null'
{ echo "on: push"; echo "jobs:"
  for n in $(seq 0 19); do
    printf '  j%s:\n    runs-on: bench\n' "$n"
    if [ "$n" -ge 5 ]; then
      printf '    needs: [j%s, j%s]\n' $((n - 5)) $(( (n - 5) / 5 * 5 + (n + 1) % 5 ))
    fi
    printf '    env: {JOB: j%s}\n    steps:\n      - run: %s\n        shell: sh\n' "$n" "'$STEP'"
  done; } > "$WORK/w.yml"
secs() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }
kiln_once() {
  local t0 t1; t0=$(date +%s.%N)
  (cd "$WORK" && "$KILN" -q --state-dir "$STATE" run w.yml -P bench=bench:latest >/dev/null)
  t1=$(date +%s.%N); secs "$t0" "$t1"
}
podman_once() {
  local t0 t1; t0=$(date +%s.%N)
  for layer in 0 1 2 3; do  # each layer after the one it needs, at most one job per CPU
    seq $((layer * 5)) $((layer * 5 + 4)) | xargs -P "$CPUS" -I{} \
      podman run --rm $PODMAN_ULIMIT -v "$WORK:/github/workspace" -w /github/workspace \
        -e JOB=j{} kiln-gbench-img sh -ec "$STEP" >/dev/null
  done
  t1=$(date +%s.%N); secs "$t0" "$t1"
}
kiln_once >/dev/null; podman_once >/dev/null  # warm-up: layer cache, page cache
declare -a k=() p=()
for _ in $(seq "$RUNS"); do
  k+=("$(kiln_once)")
  p+=("$(podman_once)")
done
TABLE=$(python3 - "${k[*]}" "${p[*]}" "$RUNS" <<'PY'
import statistics, sys
k, p, runs = sys.argv[1].split(), sys.argv[2].split(), sys.argv[3]
mk, mp = statistics.median(map(float, k)), statistics.median(map(float, p))
print(f"| measure (median of {runs}) | kiln run | podman run --rm ×20 | ratio |")
print("|---|---|---|---|")
print(f"| 20 jobs, 4 layers of 5 (whole run) | **{mk:.2f} s** ({', '.join(k)}) | {mp:.2f} s ({', '.join(p)}) | podman {mp / mk:.2f}× |")
PY
)
echo "$TABLE"
if [ "$APPEND" = 1 ]; then
  { echo
    echo "## Workflow graph: 20 jobs in a needs graph, kiln run vs one podman run each"
    echo
    echo "Command: \`RUNS=$RUNS bench/workflow_graph.sh\`, $(date +%F), $CPUS CPUs, the Debian minbase"
    echo "image. Jobs: 4 layers of 5, each later job needing two of the layer before; one \`sh\` step"
    echo "each (echo, ls /). kiln: one \`kiln run\` (default concurrency: one job per CPU). podman:"
    echo "the same steps as one \`podman run --rm\` each, layer by layer, $CPUS at once."
    echo
    echo "$TABLE"
  } >> bench/RESULTS.md
fi
