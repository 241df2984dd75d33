#!/usr/bin/env bash
# Runs clang-tidy 14 with the checks of .clang-tidy (every one an error) over the C++ files of
# src/ that changed, two at a time, and fails on any finding (printed with file:line and check).
# The whole tree takes ~8 CPU-s a file, ~10 min on 2 cores: too slow for every CI run, so by
# default only changed files are checked (a .cc that changed, and every .cc beside a header that
# changed), against:
#   - on a branch: its merge base with main;
#   - on main itself (CI's clone): the first-parent commits of the day before HEAD's commit, so
#     a session's whole submission is checked;
#   - KILN_TIDY_BASE=REV, if set.
# Usage: scripts/tidy.sh          changed files
#        scripts/tidy.sh --all    every file of build/compile_commands.json (tests included)
#        scripts/tidy.sh FILE...  these .cc files
# Configures the default preset first, for an up-to-date build/compile_commands.json (no build).
set -euo pipefail
cd "$(dirname "$0")/.."
tidy=$(command -v clang-tidy-14 || command -v clang-tidy || true)
runner=$(command -v run-clang-tidy-14 || command -v run-clang-tidy || true)
if [ -z "$tidy" ] || [ -z "$runner" ]; then
  echo "tidy: clang-tidy not found (scripts/install-deps.sh installs clang-tidy)" >&2
  exit 2
fi
cmake --preset default >/dev/null

changed_since() {  # the src/ .cc and .h files changed between REV and the work tree
  git diff --name-only "$1" -- 'src/*.cc' 'src/*.h'
  git ls-files -o --exclude-standard -- 'src/*.cc' 'src/*.h'
}

files=()
if [ "${1:-}" = --all ]; then
  what="every file"
elif [ $# -gt 0 ]; then
  files=("$@")
  what="the files named"
else
  base=${KILN_TIDY_BASE:-}
  if [ -z "$base" ]; then
    base=$(git merge-base HEAD main 2>/dev/null || git rev-parse HEAD)
    if [ "$base" = "$(git rev-parse HEAD)" ]; then
      since=$(( $(git log -1 --format=%ct HEAD) - 86400 ))
      oldest=$(git rev-list --first-parent --since="$since" HEAD | tail -n 1)
      base=$(git rev-parse --verify -q "$oldest^" || git hash-object -t tree /dev/null)
    fi
  fi
  what="the files changed since $(git rev-parse --short "$base" 2>/dev/null || echo "$base")"
  while IFS= read -r f; do
    [ -f "$f" ] || continue
    case "$f" in
      *.cc) files+=("$f") ;;
      *.h) for c in "$(dirname "$f")"/*.cc; do [ -f "$c" ] && files+=("$c"); done ;;
    esac
  done < <(changed_since "$base")
  if [ ${#files[@]} -eq 0 ]; then
    echo "tidy: no C++ file changed since $base"
    exit 0
  fi
  mapfile -t files < <(printf '%s\n' "${files[@]}" | sort -u)
fi

# run-clang-tidy takes regexes of paths; anchor each so that a.cc does not also pick xa.cc.
regexes=()
for f in "${files[@]}"; do
  regexes+=("^$(realpath "$f" | sed 's/[.[\*^$+?(){}|]/\\&/g')\$")
done
start=$(date +%s)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
"$runner" -clang-tidy-binary "$tidy" -p build -j "$(nproc)" -quiet "${regexes[@]}" >"$log" 2>&1 ||
  status=$?
# Print the findings, without colours or clang-tidy's per-file chatter.
sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -vE '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^Use -system-headers|^(\S*\/)?clang-tidy(-14)? |^Running clang-tidy|^Enabled checks' || true
n=${#files[@]}
[ "$n" -gt 0 ] || n=$(grep -c '"file":' build/compile_commands.json)
if [ "$status" -ne 0 ]; then
  echo "tidy: clang-tidy found problems in $what (above; the checks are in .clang-tidy)" >&2
  exit 1
fi
echo "tidy: $what ($n) clean in $(( $(date +%s) - start )) s"
