#!/usr/bin/env bash
# Builds the base root filesystems kiln's tests and demo import, from Debian packages (no image
# can be pulled here). Cached under /var/cache/kiln-test; idempotent.
#   debian-bookworm-minbase.tar  debootstrap --variant=minbase bookworm (bash, coreutils, apt)
#   debs/                        the .deb files examples/custom-image installs in its job
#                                (jq, make, tree and jq's libraries), so the job needs no network
#   postgres-15-oci/             an OCI layout standing in for Docker's postgres image (act's
#                                `services` case): scripts/fixtures-postgres.sh
set -euo pipefail
cache=${KILN_FIXTURE_CACHE:-/var/cache/kiln-test}
mkdir -p "$cache"

# Package files for examples/custom-image, downloaded by the host's apt (bookworm, like the base).
debs="$cache/debs"
if [ ! -s "$debs/COMPLETE" ]; then
  rm -rf "$debs.tmp" && mkdir -p "$debs.tmp"
  (cd "$debs.tmp" && apt-get download -qq jq libjq1 libonig5 make tree 2>/dev/null) || {
    apt-get update -qq && (cd "$debs.tmp" && apt-get download -qq jq libjq1 libonig5 make tree)
  }
  ls "$debs.tmp" > "$debs.tmp/COMPLETE"
  rm -rf "$debs" && mv "$debs.tmp" "$debs"
  echo "fixtures: downloaded $(ls "$debs" | grep -c '\.deb$') packages into $debs"
fi

make_minbase_tar() {
  # The mirror apt already uses (deb822 or one-line sources).
  mirror=$( (grep -rhoE '^(URIs:|deb) +https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/ \
    2>/dev/null || true) | grep -v -- '-security' | grep -i debian | awk 'NR == 1 {print $2}')
  mirror=${mirror:-http://deb.debian.org/debian}
  work=$(mktemp -d "$cache/debootstrap.XXXXXX")
  trap 'rm -rf "$work"' RETURN
  echo "fixtures: debootstrap --variant=minbase bookworm from $mirror (about 30 s)"
  debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/log" 2>&1 || {
    tail -n 20 "$work/log" >&2
    exit 1
  }
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
  tar --numeric-owner --xattrs -C "$work/rootfs" -cf "$tar_out.tmp" .
  mv "$tar_out.tmp" "$tar_out"
  echo "fixtures: wrote $tar_out ($(du -h "$tar_out" | cut -f1))"
}

tar_out="$cache/debian-bookworm-minbase.tar"
if [ -s "$tar_out" ]; then
  echo "fixtures: $tar_out present"
else
  make_minbase_tar
fi
"$(dirname "$0")/fixtures-postgres.sh" "$cache"
