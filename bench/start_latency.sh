#!/usr/bin/env bash
# Start latency: kiln sandbox vs podman, same image, same run.
#
# For each tool, N runs (default 20) of a one-step job whose step prints the wall clock:
#   first  = time from launching the tool to the step's first instruction running
#   whole  = time from launching the tool to it exiting (job done, sandbox removed)
# kiln:        kiln run bench.yml   (step: date +%s.%N > $GITHUB_WORKSPACE/t), a cold start
# kiln warm:   kiln run --warm-pool 1 bench.yml, in its own state dir: the job takes a sandbox
#              started ahead of time (`kiln pool fill` before the first run; after that each
#              run's own background refill, which is part of what the run costs)
# podman:      podman run --rm --network=none IMAGE date +%s.%N
# Both use the same rootfs tarball (default: the Debian minbase fixture), imported into each.
# Writes the table to stdout; bench/RESULTS.md holds the runs on record.
source "$(dirname "$0")/common.sh"
RUNS=${RUNS:-20}
WARM=$(mktemp -d /var/tmp/kiln-bench-warm.XXXXXX)
trap '"$KILN" -q --state-dir "$WARM" pool drain >/dev/null 2>&1; rm -rf "$STATE" "$WARM" "$WORK"
      podman rmi -f kiln-bench:latest >/dev/null 2>&1 || true' EXIT

"$KILN" -q --state-dir "$STATE" image import "$TAR" bench:latest >/dev/null
"$KILN" -q --state-dir "$WARM" image import "$TAR" bench:latest >/dev/null
"$KILN" -q --state-dir "$WARM" pool fill bench:latest >/dev/null
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
kiln_once() {  # [STATE_DIR [kiln run flags…]]
  local state=${1:-$STATE} t0 t1; shift || true
  t0=$(now)
  (cd "$WORK" && "$KILN" -q --state-dir "$state" run -P bench=bench:latest "$@" >/dev/null 2>&1)
  t1=$(now)
  echo "$t0 $(cat "$WORK/t") $t1"
}
podman_once() {
  local t0 t1 t; t0=$(now)
  t=$(podman run --rm --network=none $PODMAN_ULIMIT kiln-bench:latest date +%s.%N)
  t1=$(now)
  echo "$t0 $t $t1"
}

warm_once() { kiln_once "$WARM" --warm-pool 1; }

# One warm-up each (page cache, layer cache, podman storage). Between runs, a pause lets any
# background work (kiln's pool refill, podman's cleanup) end before the next tool starts.
kiln_once >/dev/null; warm_once >/dev/null; podman_once >/dev/null
: > "$WORK/kiln.txt"; : > "$WORK/warm.txt"; : > "$WORK/podman.txt"
for _ in $(seq "$RUNS"); do
  kiln_once >> "$WORK/kiln.txt"; sleep 0.3
  warm_once >> "$WORK/warm.txt"; sleep 0.3
  podman_once >> "$WORK/podman.txt"; sleep 0.3
done

python3 - "$WORK/kiln.txt" "$WORK/warm.txt" "$WORK/podman.txt" "$RUNS" <<'PY'
import statistics, sys
def load(p):
    rows = [tuple(map(float, l.split())) for l in open(p) if l.strip()]
    return [r[1] - r[0] for r in rows], [r[2] - r[0] for r in rows]
(kf, kw), (wf, ww), (pf, pw) = (load(p) for p in sys.argv[1:4])
def fmt(xs):
    q = statistics.quantiles(xs, n=4)
    return f"{statistics.median(xs)*1000:.1f} ms (IQR {q[0]*1000:.1f}–{q[2]*1000:.1f}, min {min(xs)*1000:.1f}, max {max(xs)*1000:.1f})"
r = lambda a, b: f"{statistics.median(a)/statistics.median(b):.1f}×"
print(f"runs per tool: {sys.argv[4]}")
print("| measure | kiln, cold start | kiln, warm pool | podman | podman / kiln cold | podman / kiln warm |")
print("|---|---|---|---|---|---|")
print(f"| first step running | {fmt(kf)} | {fmt(wf)} | {fmt(pf)} | {r(pf, kf)} | {r(pf, wf)} |")
print(f"| whole one-step job | {fmt(kw)} | {fmt(ww)} | {fmt(pw)} | {r(pw, kw)} | {r(pw, ww)} |")
PY
