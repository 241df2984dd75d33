#!/usr/bin/env bash
# kiln's main job end to end, on embedded defaults:
#   1. install dependencies and build kiln;
#   2. build a Debian base root filesystem with debootstrap (cached) and import it as an image;
#   3. run the example workflow in a crun sandbox made from that image.
# Idempotent. Run as root. State goes to $KILN_STATE_DIR (default /var/lib/kiln).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/install-deps.sh
scripts/build.sh default
scripts/fixtures.sh
kiln=$root/build/src/cli/kiln

echo "== base image: debian:bookworm (debootstrap minbase)"
if ! "$kiln" image inspect debian:bookworm >/dev/null 2>&1; then
  "$kiln" image import /var/cache/kiln-test/debian-bookworm-minbase.tar debian:bookworm
fi
"$kiln" images

echo "== run examples/hello in a sandbox"
cd "$root/examples/hello"
"$kiln" run -P ubuntu-latest=debian:bookworm
