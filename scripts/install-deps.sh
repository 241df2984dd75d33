#!/usr/bin/env bash
# Installs every Debian package kiln needs to build, test and run. Idempotent: packages already
# present are left alone, and apt is only called when something is missing. Run as root.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config git
  libyaml-cpp-dev nlohmann-json3-dev libtomlplusplus-dev libarchive-dev libzstd-dev zlib1g-dev
  libdeflate-dev libssl-dev libsqlite3-dev libgtest-dev libgmock-dev libbenchmark-dev
  libcurl4-openssl-dev libisal-dev
  # fuzzing (scripts/fuzz.sh): clang with libFuzzer and the sanitizer runtimes
  clang libclang-rt-14-dev
  # the conventions (scripts/check-format.sh, scripts/tidy.sh)
  clang-format clang-tidy ccache
  # run: the OCI runtime, and base images built from Debian packages
  crun busybox-static debootstrap
  # kiln networks: the CNI plugins (bridge, host-local, portmap, firewall), ip and nsenter
  containernetworking-plugins iproute2 util-linux iptables
  # kiln hook: the runner runs dist/kiln-hook.js with node (one itest does too)
  nodejs
  # tests and benchmarks: independent judges and peers
  podman skopeo umoci buildah hyperfine uidmap docker-registry python3 python3-cryptography
  apache2-utils openssl procps curl jq
  # scripts/fixtures-postgres.sh: the postgres image act's `services` case runs
  postgresql-15
)

if [ "$(id -u)" != 0 ]; then
  echo "install-deps: run as root (apt-get install needs it)" >&2
  exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# postgresql-15 would create and start a "main" cluster on :5432, which tests publish ports on
# (act's services case maps 5432:5432); kiln needs only its binaries.
mkdir -p /etc/postgresql-common/createcluster.d
echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/kiln.conf
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# docker-registry starts a system service on :5000 when installed; tests run their own.
if systemctl is-active --quiet docker-registry 2>/dev/null; then
  systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi
if systemctl is-active --quiet postgresql 2>/dev/null; then
  systemctl disable --now postgresql >/dev/null 2>&1 || true
fi
echo "install-deps: done"
