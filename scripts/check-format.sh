#!/usr/bin/env bash
# Checks that every C and C++ file under src/ and fuzz/ is formatted as .clang-format says
# (clang-format 14). Lists the files that differ and exits 1; `--fix` formats them in place.
# Usage: scripts/check-format.sh [--fix]
set -euo pipefail
cd "$(dirname "$0")/.."
fmt=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$fmt" ]; then
  echo "check-format: clang-format not found (scripts/install-deps.sh installs clang-format-14)" >&2
  exit 2
fi
mapfile -t files < <(find src fuzz -type f \( -name '*.cc' -o -name '*.h' -o -name '*.c' \) | sort)

if [ "${1:-}" = --fix ]; then
  printf '%s\0' "${files[@]}" | xargs -0 -r -n 50 -P "$(nproc)" "$fmt" -i --style=file
  echo "check-format: formatted ${#files[@]} files"
  exit 0
elif [ $# -gt 0 ]; then
  echo "usage: scripts/check-format.sh [--fix]" >&2
  exit 2
fi

mapfile -t bad < <(printf '%s\0' "${files[@]}" | xargs -0 -r -P "$(nproc)" -I{} \
  sh -c '"$0" --dry-run -Werror --style=file "$1" >/dev/null 2>&1 || echo "$1"' "$fmt" {} | sort)
if [ ${#bad[@]} -gt 0 ]; then
  printf '%s\n' "${bad[@]}"
  echo "check-format: ${#bad[@]} of ${#files[@]} files differ from clang-format;" \
       "run scripts/check-format.sh --fix" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files formatted"
