#!/usr/bin/env bash
# GitHub's container hooks: one job of prepare_job + one script step + cleanup_job, as the
# runner calls the hook, through `kiln hook` against the docker commands the reference hook
# (actions/runner-container-hooks, packages/docker) runs, with podman in docker's place, same
# image (default: the Debian minbase fixture), same runner layout, same run.
#   kiln:    three `kiln hook` processes: prepare_job (job container on a network of its own,
#            the runner's mounts, env; response file), run_script_step (sh -e script.sh in
#            the job sandbox), cleanup_job.
#   podman:  podman network create; podman create (--network, the mounts, -e, --entrypoint
#            tail … -f /dev/null); podman start; podman exec (the isAlpine check); podman exec
#            (the step); podman rm --force; podman network rm.
# Usage: RUNS=5 bench/hooks.sh   (prints each round and the medians)
source "$(dirname "$0")/common.sh"
RUNS=${RUNS:-5}
NET=kiln-hbench-net
cleanup() {
  podman rm -f -t 0 kiln-hbench >/dev/null 2>&1 || true
  podman network rm -f "$NET" >/dev/null 2>&1 || true
  podman rmi -f kiln-hbench-img >/dev/null 2>&1 || true
  RUNNER_NAME=bench "$KILN" -q --state-dir "$STATE" hook <<<'{"command":"cleanup_job"}' >/dev/null 2>&1 || true
  rm -rf "$STATE" "$WORK"
}
trap cleanup EXIT
now() { date +%s.%N; }

"$KILN" -q --state-dir "$STATE" image import "$TAR" bench:latest >/dev/null
podman import -q "$TAR" kiln-hbench-img >/dev/null
R=$WORK/runner
mkdir -p "$R/_work/repo/repo" "$R/_work/_temp/_github_home" "$R/_work/_temp/_github_workflow" \
  "$R/externals" "$R/_work/_actions" "$R/_work/_tool"
printf '#!/bin/sh\necho "Hello World"\n' > "$R/_work/repo/repo/script.sh"
mounts='[{"sourceVolumePath":"'$R'/_work","targetVolumePath":"/__w","readOnly":false},
 {"sourceVolumePath":"'$R'/externals","targetVolumePath":"/__e","readOnly":true},
 {"sourceVolumePath":"'$R'/_work/_temp","targetVolumePath":"/__w/_temp","readOnly":false},
 {"sourceVolumePath":"'$R'/_work/_temp/_github_home","targetVolumePath":"/github/home","readOnly":false},
 {"sourceVolumePath":"'$R'/_work/_temp/_github_workflow","targetVolumePath":"/github/workflow","readOnly":false}]'
PREPARE=$(tr -d '\n' <<JSON
{"command":"prepare_job","responseFile":"$R/_work/_temp/response.json","state":{},
 "args":{"container":{"image":"node:22","workingDirectory":"/__w/repo/repo",
 "environmentVariables":{"NODE_ENV":"development"},"systemMountVolumes":$mounts}}}
JSON
)
STEP=$(tr -d '\n' <<JSON
{"command":"run_script_step","responseFile":null,"state":{},"args":{"entryPoint":"sh",
 "entryPointArgs":["-e","script.sh"],"environmentVariables":{"NODE_ENV":"development"},
 "prependPath":["/foo/bar"],"workingDirectory":"/__w/repo/repo"}}
JSON
)
export RUNNER_NAME=bench GITHUB_WORKSPACE=$R/_work/repo/repo RUNNER_TEMP=$R/_work/_temp
hook() { "$KILN" -q --state-dir "$STATE" hook -P node:22=bench:latest; }

secs() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }
kiln_once() {  # prints "TOTAL prepare/step/cleanup"
  local t0 t1 t2 t3
  t0=$(now)
  hook <<<"$PREPARE" >/dev/null 2>&1
  t1=$(now)
  out=$(hook <<<"$STEP")
  t2=$(now)
  [ "$out" = "Hello World" ] || { echo "kiln step printed: $out" >&2; exit 1; }
  hook <<<'{"command":"cleanup_job","responseFile":null,"state":{},"args":{}}' >/dev/null
  t3=$(now)
  echo "$(secs "$t0" "$t3") $(secs "$t0" "$t1")/$(secs "$t1" "$t2")/$(secs "$t2" "$t3")"
}
podman_once() {
  local t0 v; t0=$(now)
  v=()
  for m in "_work:/__w" "externals:/__e:ro" "_work/_temp:/__w/_temp" \
           "_work/_temp/_github_home:/github/home" "_work/_temp/_github_workflow:/github/workflow"; do
    v+=(-v "$R/$m")
  done
  podman network create "$NET" >/dev/null
  podman create --name kiln-hbench --label=bench --network="$NET" $PODMAN_ULIMIT "${v[@]}" \
    -e NODE_ENV -e GITHUB_ACTIONS=true -e CI=true --entrypoint tail kiln-hbench-img -f /dev/null >/dev/null
  podman start kiln-hbench >/dev/null
  podman exec kiln-hbench sh -c '[ $(cat /etc/*release* | grep -i -e "^ID=*alpine*" -c) != 0 ] || exit 1' \
    >/dev/null 2>&1 || true
  out=$(podman exec -i --workdir=/__w/repo/repo -e NODE_ENV -e PATH=/foo/bar:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    kiln-hbench sh -e script.sh)
  [ "$out" = "Hello World" ] || { echo "podman step printed: $out" >&2; exit 1; }
  podman rm --force -t 0 kiln-hbench >/dev/null
  podman network rm "$NET" >/dev/null
  python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$t0" "$(now)"
}
export NODE_ENV=development

kiln_once >/dev/null; podman_once >/dev/null  # warm-up: kiln unpacks the layers on first use
kiln_times=() podman_times=()
for i in $(seq 1 "$RUNS"); do
  read -r k phases < <(kiln_once); p=$(podman_once)
  echo "round $i: kiln hook ${k}s (prepare/step/cleanup ${phases})  podman ${p}s"
  kiln_times+=("$k"); podman_times+=("$p")
done
python3 - "${kiln_times[*]}" "${podman_times[*]}" <<'PY'
import statistics, sys
k = [float(x) for x in sys.argv[1].split()]
p = [float(x) for x in sys.argv[2].split()]
mk, mp = statistics.median(k), statistics.median(p)
print(f"median: kiln hook {mk:.3f} s, podman {mp:.3f} s, podman / kiln {mp / mk:.2f}x")
PY
