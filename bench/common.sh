# Sourced by the benchmarks: the repository root as cwd, the image tarball, the kiln binary, a
# scratch state dir and workspace, and the flags podman needs on this host.
#   TAR   rootfs tarball imported into every tool (default: the Debian minbase fixture)
#   KILN  the kiln binary (default: build/src/cli/kiln)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
TAR=${TAR:-/var/cache/kiln-test/debian-bookworm-minbase.tar}
KILN=${KILN:-$PWD/build/src/cli/kiln}
[ -x "$KILN" ] || { echo "build kiln first (scripts/build.sh)" >&2; exit 1; }
[ -s "$TAR" ] || { echo "no $TAR: run scripts/fixtures.sh" >&2; exit 1; }
STATE=$(mktemp -d /var/tmp/kiln-bench.XXXXXX)
WORK=$(mktemp -d /var/tmp/kiln-bench-ws.XXXXXX)
# This host caps root's hard RLIMIT_NOFILE (20000) below podman's default request, which crun
# refuses ("setrlimit RLIMIT_NOFILE: Operation not permitted"), and likewise RLIMIT_NPROC even at
# the host's own hard value; kiln clamps, podman is given limits that the host accepts.
PODMAN_ULIMIT="--ulimit nofile=1024:1024 --ulimit nproc=4096:4096"
