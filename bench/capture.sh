#!/usr/bin/env bash
# Capture of a ~1 GiB mixed diff (bench/make_diff.sh: ~200 MB random, ~20,000 small files,
# ~750 MB compressible text) as a new image, and the time until the next job runs on it:
#   kiln:    a workflow job `make` runs make_diff.sh with `snapshot: bench-img`, and a job `use`
#            (needs: make) runs on bench-img:latest. Reported separately: "job end → next job
#            running on the new version" (make's last step prints the time as it ends, use's
#            first step as it starts: both in sandboxes, one clock), the time kiln logs for the
#            version to be usable ("📸 … usable in Xs"), and "compressed blob made" (the packer's
#            "… is whole: … written in Xs", in the background while `use` runs); then a second
#            `kiln run` job on bench-img, from a new process.
#   podman:  podman run -d, podman exec make_diff.sh, then `podman commit` (diff → image in
#            containers-storage, uncompressed) and `podman push … oci:DIR` (the gzip blob a
#            registry push makes); then `podman run --rm bench-img true`.
#   buildah: buildah from, buildah run make_diff.sh, `buildah commit`.
# Usage: RUNS=1 bench/capture.sh   (each run writes ~1 GiB per tool; expect minutes)
source "$(dirname "$0")/common.sh"
RUNS=${RUNS:-1}
cleanup() {
  podman rm -f -t 0 kiln-cbench >/dev/null 2>&1 || true
  buildah rm kiln-cbench-b >/dev/null 2>&1 || true
  podman rmi -f kiln-cbench-base bench-img bench-img-b >/dev/null 2>&1 || true
  rm -rf "$STATE" "$WORK"
}
trap cleanup EXIT
now() { date +%s.%N; }
# Seconds from kiln's log: $1 = "usable" (📸 NAME:V (latest) usable in 12ms; …) or "written"
# (NAME:V is whole: …, layer … written in 3.2s).
capture_secs() {
  python3 -c '
import re, sys
units = {"ms": 1e-3, "s": 1.0, "min": 60.0}
for line in sys.stdin:
    m = re.search(sys.argv[1] + r" in ([0-9.]+)(ms|s|min)\b", line)
    if m:
        print(f"{float(m.group(1)) * units[m.group(2)]:.3f}")
        break
' "$1"
}
# "END <unix.ns>" of make's last step → "START <unix.ns>" of use's first step, in seconds.
handoff_secs() {
  python3 -c '
import re, sys
text = sys.stdin.read()
end = float(re.search(r"\bEND ([0-9.]+)", text).group(1))
start = float(re.search(r"\bSTART ([0-9.]+)", text).group(1))
print(f"{start - end:.3f}")
'
}
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$(now)"; }

"$KILN" -q --state-dir "$STATE" image import "$TAR" bench-base:latest >/dev/null
podman import -q "$TAR" kiln-cbench-base >/dev/null
DIFF_SCRIPT=$(cat bench/make_diff.sh)
mkdir -p "$WORK/.github/workflows"
cat > "$WORK/make.yml" <<YML
on: push
jobs:
  make:
    runs-on: {image: "bench-base:latest", size: 2x8}
    snapshot: bench-img
    steps:
      - run: sh "\$GITHUB_WORKSPACE/make_diff.sh" && echo "END \$(date +%s.%N)"
  use:
    needs: make
    runs-on: {image: "bench-img:latest", size: 2x8}
    steps:
      - run: echo "START \$(date +%s.%N)" && test -f /bench/random/blob.bin
YML
cat > "$WORK/use.yml" <<'YML'
on: push
jobs:
  use:
    runs-on: {image: "bench-img:latest", size: 2x8}
    steps:
      - run: test -f /bench/random/blob.bin
YML
cp bench/make_diff.sh "$WORK/"

rows=()
for run in $(seq "$RUNS"); do
  # kiln
  log=$(cd "$WORK" && "$KILN" --state-dir "$STATE" run make.yml 2>&1)
  echo "$log" | grep -E '📸|is whole' >&2
  k_handoff=$(echo "$log" | handoff_secs)
  k_capture=$(echo "$log" | capture_secs usable)
  k_pack=$(echo "$log" | capture_secs written)
  t0=$(now); (cd "$WORK" && "$KILN" -q --state-dir "$STATE" run use.yml >/dev/null); k_next=$(since "$t0")
  k_size=$("$KILN" --state-dir "$STATE" image inspect bench-img --json | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['manifest']['layers'][-1]['size'])")
  # podman
  podman run -d $PODMAN_ULIMIT --network=none --name kiln-cbench kiln-cbench-base sleep 100000 >/dev/null
  podman exec kiln-cbench sh -c "$DIFF_SCRIPT" >/dev/null
  t0=$(now); podman commit -q kiln-cbench bench-img >/dev/null; p_commit=$(since "$t0")
  rm -rf "$WORK/pushed"
  t0=$(now); podman push -q --compression-format gzip bench-img "oci:$WORK/pushed:bench" >/dev/null 2>&1; p_push=$(since "$t0")
  t0=$(now); podman run --rm $PODMAN_ULIMIT --network=none bench-img true; p_next=$(since "$t0")
  podman rm -f -t 0 kiln-cbench >/dev/null
  # buildah
  buildah from -q --name kiln-cbench-b kiln-cbench-base >/dev/null
  buildah run --network=none kiln-cbench-b -- sh -c "$DIFF_SCRIPT" >/dev/null 2>&1
  t0=$(now); buildah commit -q kiln-cbench-b bench-img-b >/dev/null; b_commit=$(since "$t0")
  buildah rm kiln-cbench-b >/dev/null
  echo "run $run: kiln job end → next job running on the new version ${k_handoff}s (usable in ${k_capture}s)," \
       "compressed blob made in ${k_pack}s (layer $k_size bytes), next kiln run ${k_next}s;" \
       "podman commit ${p_commit}s, commit+gzip push $(python3 -c "print(f'{$p_commit + $p_push:.2f}')")s, next run ${p_next}s;" \
       "buildah commit ${b_commit}s"
  rows+=("$k_handoff $k_capture $k_pack $k_next $p_commit $p_push $p_next $b_commit $k_size")
  podman rmi -f bench-img bench-img-b >/dev/null 2>&1 || true
  "$KILN" -q --state-dir "$STATE" image rm bench-img >/dev/null 2>&1 || true
done

# Medians over the runs, and the ratios the issue's goals name.
printf '%s\n' "${rows[@]}" | python3 -c '
import statistics, sys
cols = list(zip(*[map(float, l.split()) for l in sys.stdin if l.strip()]))
k_hand, k_cap, k_pack, k_next, p_commit, p_push, p_next, b_commit, size = map(statistics.median, cols)
print(f"medians over {len(cols[0])} runs:")
print(f"  kiln job end -> next job running on the new version      {k_hand:6.2f} s  (version usable in {k_cap:.3f} s)")
print(f"  kiln compressed blob made (background)                   {k_pack:6.2f} s  (layer {size/1e6:.1f} MB)")
print(f"  podman commit                                            {p_commit:6.2f} s  ({p_commit/k_pack:.1f}x kiln blob)")
print(f"  podman commit + gzip push to an OCI layout               {p_commit+p_push:6.2f} s  ({(p_commit+p_push)/k_pack:.1f}x kiln blob)")
print(f"  buildah commit                                           {b_commit:6.2f} s")
print(f"  next job on the new image: podman run --rm {p_next:.2f} s, kiln run (new process) {k_next:.2f} s")
'
