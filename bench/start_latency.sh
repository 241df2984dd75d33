#!/usr/bin/env bash
# Start latency: kiln sandbox vs podman, same image, same run.
#
# For each tool, N runs (default 20) of a one-step job whose step prints the wall clock:
#   first  = time from launching the tool to the step's first instruction running
#   whole  = time from launching the tool to it exiting (job done, sandbox removed)
# kiln:   kiln run bench.yml   (step: date +%s.%N > $GITHUB_WORKSPACE/t)
# podman: podman run --rm --network=none IMAGE date +%s.%N
# Both use the same rootfs tarball (default: the Debian minbase fixture), imported into each.
# Writes the table to stdout; bench/RESULTS.md holds the runs on record.
source "$(dirname "$0")/common.sh"
RUNS=${RUNS:-20}
trap 'rm -rf "$STATE" "$WORK"; podman rmi -f kiln-bench:latest >/dev/null 2>&1 || true' EXIT

"$KILN" -q --state-dir "$STATE" image import "$TAR" bench:latest >/dev/null
podman import -q "$TAR" kiln-bench:latest >/dev/null
mkdir -p "$WORK/.github/workflows"
cat > "$WORK/.github/workflows/bench.yml" <<'YML'
on: push
jobs:
  bench:
    runs-on: bench
    steps:
      - run: date +%s.%N > "$GITHUB_WORKSPACE/t"
        shell: sh
YML

now() { date +%s.%N; }
kiln_once() {
  local t0 t1; t0=$(now)
  (cd "$WORK" && "$KILN" -q --state-dir "$STATE" run -P bench=bench:latest >/dev/null 2>&1)
  t1=$(now)
  echo "$t0 $(cat "$WORK/t") $t1"
}
podman_once() {
  local t0 t1 t; t0=$(now)
  t=$(podman run --rm --network=none $PODMAN_ULIMIT kiln-bench:latest date +%s.%N)
  t1=$(now)
  echo "$t0 $t $t1"
}

# One warm-up each (page cache, layer cache, podman storage).
kiln_once >/dev/null; podman_once >/dev/null
: > "$WORK/kiln.txt"; : > "$WORK/podman.txt"
for _ in $(seq "$RUNS"); do
  kiln_once >> "$WORK/kiln.txt"
  podman_once >> "$WORK/podman.txt"
done

python3 - "$WORK/kiln.txt" "$WORK/podman.txt" "$RUNS" <<'PY'
import statistics, sys
def load(p):
    rows = [tuple(map(float, l.split())) for l in open(p) if l.strip()]
    return [r[1] - r[0] for r in rows], [r[2] - r[0] for r in rows]
kf, kw = load(sys.argv[1]); pf, pw = load(sys.argv[2])
def fmt(xs):
    q = statistics.quantiles(xs, n=4)
    return f"{statistics.median(xs)*1000:7.1f} ms (IQR {q[0]*1000:.1f}–{q[2]*1000:.1f}, min {min(xs)*1000:.1f}, max {max(xs)*1000:.1f})"
print(f"runs per tool: {sys.argv[3]}")
print("| measure | kiln | podman | podman / kiln |")
print("|---|---|---|---|")
print(f"| first step running | {fmt(kf)} | {fmt(pf)} | {statistics.median(pf)/statistics.median(kf):.1f}× |")
print(f"| whole one-step job | {fmt(kw)} | {fmt(pw)} | {statistics.median(pw)/statistics.median(kw):.1f}× |")
PY
