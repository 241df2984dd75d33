#!/usr/bin/env bash
# kiln's main job end to end, on embedded defaults:
#   1. install dependencies and build kiln;
#   2. build a Debian base root filesystem with debootstrap (cached) and import it as an image;
#   3. snapshot a custom image with a workflow (examples/custom-image/image.yml: a job installs
#      jq, make and tree from .deb files; its filesystem becomes "toolbox", 1.0.0, 1.1.0, …);
#   4. run a CI job from that custom image (examples/custom-image/.github/workflows/ci.yml).
# Idempotent (a second run adds the next toolbox version). Run as root. State goes to
# $KILN_STATE_DIR (default /var/lib/kiln).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/install-deps.sh
scripts/build.sh default
scripts/fixtures.sh
kiln=$root/build/src/cli/kiln
example=$root/examples/custom-image

echo
echo "== 1. base image: debian:bookworm (debootstrap minbase)"
if ! "$kiln" image inspect debian:bookworm >/dev/null 2>&1; then
  "$kiln" image import /var/cache/kiln-test/debian-bookworm-minbase.tar debian:bookworm
fi
"$kiln" images

echo
echo "== 2. custom image: kiln run image.yml (snapshot: toolbox)"
mkdir -p "$example/debs"
cp /var/cache/kiln-test/debs/*.deb "$example/debs/"
cd "$example"
"$kiln" run image.yml
"$kiln" image ls toolbox

echo
echo "== 3. CI job from the custom image: kiln run (runs-on: {image: toolbox:latest, size: 2x8})"
"$kiln" run
