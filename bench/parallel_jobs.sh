#!/usr/bin/env bash
# Jobs at once: a workflow of 8 independent one-step jobs, run one by one
# (`kiln run --concurrent-jobs 1`) and in parallel (the default, one per CPU, and 8), same run.
#   wait:  each step sleeps 2 s (a job waiting on the network or a service)
#   cpu:   each step hashes 300 MB (a job that computes; 2 cores here)
# Prints the wall time of each `kiln run` (median of RUNS, default 3) and the ratios.
# Usage: RUNS=3 bench/parallel_jobs.sh
source "$(dirname "$0")/common.sh"
RUNS=${RUNS:-3}
trap 'rm -rf "$STATE" "$WORK"' EXIT
"$KILN" -q --state-dir "$STATE" image import "$TAR" bench:latest >/dev/null
mkdir -p "$WORK/wait" "$WORK/cpu"
workflow() {  # DIR STEP
  { echo "on: push"; echo "jobs:"
    for i in 1 2 3 4 5 6 7 8; do
      printf '  j%s:\n    runs-on: bench\n    steps:\n      - run: %s\n        shell: sh\n' "$i" "$2"
    done; } > "$1/w.yml"
}
workflow "$WORK/wait" "sleep 2"
workflow "$WORK/cpu" "head -c 300000000 /dev/zero | sha256sum"
once() {  # DIR FLAGS…: seconds of one kiln run
  local dir=$1 t0 t1; shift
  t0=$(date +%s.%N)
  (cd "$dir" && "$KILN" -q --state-dir "$STATE" run w.yml -P bench=bench:latest "$@" >/dev/null)
  t1=$(date +%s.%N)
  python3 -c "print(f'{$t1 - $t0:.2f}')"
}
once "$WORK/wait" >/dev/null  # warm-up: layer cache, page cache
echo "| workload | one by one (--concurrent-jobs 1) | default (one per CPU: $(nproc)) | --concurrent-jobs 8 | one by one / 8 at once |"
echo "|---|---|---|---|---|"
for w in wait cpu; do
  declare -a a=() b=() c=()
  for _ in $(seq "$RUNS"); do
    a+=("$(once "$WORK/$w" --concurrent-jobs 1)")
    b+=("$(once "$WORK/$w")")
    c+=("$(once "$WORK/$w" --concurrent-jobs 8)")
  done
  python3 - "$w" "${a[*]}" "${b[*]}" "${c[*]}" <<'PY'
import statistics, sys
w, *cols = sys.argv[1:]
meds = [statistics.median(map(float, c.split())) for c in cols]
cell = lambda c, m: f"{m:.2f} s ({', '.join(c.split())})"
print(f"| {w} | " + " | ".join(cell(c, m) for c, m in zip(cols, meds)) + f" | {meds[0] / meds[2]:.1f}× |")
PY
done
