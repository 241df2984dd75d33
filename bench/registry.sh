#!/usr/bin/env bash
# Registry push and pull, kiln against skopeo and podman: the same multi-layer image, the same
# local registry (Debian's docker-registry, Distribution 2.8, on 127.0.0.1), in the same run.
#   image:  the Debian minbase fixture as base layer, then LAYERS (default 6) layers of
#           random-ish files, SIZE_MB (default 600) MB of files in all (half random bytes, half
#           base64 text), gzip -1, written as an OCI layout by this script (not by kiln), then
#           imported into kiln (`kiln image import oci:LAYOUT:1`).
#   push:   kiln push IMAGE REF   vs   skopeo copy oci:LAYOUT:1 docker://REF
#           The registry's storage is emptied before each run, so every blob is uploaded.
#   pull:   kiln pull REF (download + unpack into the layer cache; a fresh state dir each run)
#           vs skopeo copy docker://REF oci:DIR (download only; a fresh DIR each run)
#           vs podman pull REF (download + unpack into containers-storage; removed before each run)
#   TLS=1:  the registry speaks https (so HTTP/2) with a CA of the script's own; every tool is
#           given it (kiln --cert-dir, skopeo --src/dest-cert-dir, podman --cert-dir). Default:
#           plain http on loopback (HTTP/1.1).
# Timing: hyperfine, RUNS runs each (default 3), median with every run listed.
# Usage: RUNS=3 bench/registry.sh   (writes several times SIZE_MB; minutes; never in CI)
# Smoke: SIZE_MB=20 LAYERS=2 RUNS=1 bench/registry.sh
source "$(dirname "$0")/common.sh"
RUNS=${RUNS:-3}
SIZE_MB=${SIZE_MB:-600}
LAYERS=${LAYERS:-6}
TLS=${TLS:-0}
REGDIR=$WORK/registry
LAYOUT=$WORK/layout
PULLSTATE=$WORK/pull-state
export KILN STATE PULLSTATE REGDIR
REGPID=
cleanup() {
  if [ -n "${REF_SRC:-}" ]; then podman rmi -f "$REF_SRC" >/dev/null 2>&1 || true; fi
  if [ -n "$REGPID" ]; then kill "$REGPID" 2>/dev/null || true; wait "$REGPID" 2>/dev/null || true; fi
  rm -rf "$STATE" "$WORK"
}
trap cleanup EXIT

# --- the registry --------------------------------------------------------------------------
start_registry() {
  mkdir -p "$REGDIR/data"
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  HOST=127.0.0.1:$PORT
  local tls=""
  if [ "$TLS" = 1 ]; then
    local c=$REGDIR/certs
    mkdir -p "$c"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
      -keyout "$c/ca.key" -out "$c/ca.crt" -subj /CN=kiln-bench-ca \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 \
      -keyout "$c/server.key" -out "$c/server.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$c/ext.cnf"
    openssl x509 -req -in "$c/server.csr" -CA "$c/ca.crt" -CAkey "$c/ca.key" -CAcreateserial \
      -days 1 -extfile "$c/ext.cnf" -out "$c/server.crt" 2>/dev/null
    tls="  tls:
    certificate: $c/server.crt
    key: $c/server.key"
    CERTS=$REGDIR/ca  # only the CA: a cert dir's *.key would be taken for a client key
    mkdir -p "$CERTS"
    cp "$c/ca.crt" "$CERTS/"
    SCHEME=https
  else
    SCHEME=http
  fi
  cat > "$REGDIR/config.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $REGDIR/data
  delete:
    enabled: true
http:
  addr: $HOST
  secret: kiln-bench-$RANDOM$RANDOM
$tls
YML
  docker-registry serve "$REGDIR/config.yml" > "$REGDIR/log" 2>&1 &
  REGPID=$!
  local i
  for i in $(seq 100); do
    curl -s -o /dev/null ${CERTS:+--cacert "$CERTS/ca.crt"} "$SCHEME://$HOST/v2/" && return 0
    sleep 0.1
  done
  echo "docker-registry did not start: $(cat "$REGDIR/log")" >&2
  exit 1
}

# --- the image, as an OCI layout ------------------------------------------------------------
# add_blob FILE MEDIATYPE: moves FILE into the layout; prints its descriptor (JSON).
add_blob() {
  local hex size
  hex=$(sha256sum "$1" | cut -d' ' -f1)
  size=$(stat -c %s "$1")
  mv "$1" "$LAYOUT/blobs/sha256/$hex"
  printf '{"mediaType":"%s","digest":"sha256:%s","size":%s}' "$2" "$hex" "$size"
}
# add_layer TARFILE: gzip -1 into the layout; appends to DESCS and DIFFIDS.
add_layer() {
  DIFFIDS+=("\"sha256:$(sha256sum "$1" | cut -d' ' -f1)\"")
  gzip -1 -c "$1" > "$WORK/blob.tmp"
  rm -f "$1"
  DESCS+=("$(add_blob "$WORK/blob.tmp" application/vnd.oci.image.layer.v1.tar+gzip)")
}
make_image() {
  mkdir -p "$LAYOUT/blobs/sha256"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$LAYOUT/oci-layout"
  DESCS=() DIFFIDS=()
  cp "$TAR" "$WORK/base.tar"
  add_layer "$WORK/base.tar"
  local per=$((SIZE_MB * 1048576 / LAYERS)) l d
  for l in $(seq "$LAYERS"); do
    d=$WORK/rootfs/layer$l
    mkdir -p "$d/random" "$d/text"
    head -c $((per / 2)) /dev/urandom | split -b 1M -a 4 - "$d/random/f"
    head -c $((per / 2 * 3 / 4)) /dev/urandom | base64 -w 76 | split -b 256K -a 4 - "$d/text/t"
    tar -C "$WORK/rootfs" -cf "$WORK/layer.tar" "layer$l"
    rm -rf "$d"
    add_layer "$WORK/layer.tar"
  done
  local arch config manifest
  arch=$(dpkg --print-architecture)
  printf '{"architecture":"%s","os":"linux","config":{"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
    "$arch" "$(IFS=,; echo "${DIFFIDS[*]}")" > "$WORK/config.json"
  config=$(add_blob "$WORK/config.json" application/vnd.oci.image.config.v1+json)
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":%s,"layers":[%s]}' \
    "$config" "$(IFS=,; echo "${DESCS[*]}")" > "$WORK/manifest.json"
  manifest=$(add_blob "$WORK/manifest.json" application/vnd.oci.image.manifest.v1+json)
  printf '{"schemaVersion":2,"manifests":[%s]}' \
    "${manifest%\}},\"annotations\":{\"org.opencontainers.image.ref.name\":\"1\"}}" > "$LAYOUT/index.json"
}

# --- timing ---------------------------------------------------------------------------------
# bench NAME PREPARE COMMAND: hyperfine RUNS runs; prints "median s (run, run, …)".
bench() {
  hyperfine -N --style none --runs "$RUNS" --prepare "$2" --export-json "$WORK/$1.json" "$3" \
    >/dev/null 2>"$WORK/$1.err" || { echo "FAILED: $3" >&2; cat "$WORK/$1.err" >&2; exit 1; }
  jq -r '.results[0] | "\(.median * 100 | round / 100) s (\([.times[] | (. * 100 | round / 100 | tostring)] | join(", ")))"' \
    "$WORK/$1.json"
}
median() { jq -r '.results[0].median' "$WORK/$1.json"; }
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}×')" "$1" "$2"; }

echo "building the image: base + $LAYERS layers, $SIZE_MB MB of files…" >&2
make_image
start_registry
"$KILN" -q --state-dir "$STATE" image import "oci:$LAYOUT:1" bench-reg:1 >/dev/null
COMPRESSED=$(du -sm "$LAYOUT/blobs" | cut -f1)

if [ "$TLS" = 1 ]; then
  KFLAGS="--cert-dir $CERTS" SKDEST="--dest-cert-dir $CERTS" SKSRC="--src-cert-dir $CERTS"
  PMFLAGS="--cert-dir $CERTS"
else
  KFLAGS="" SKDEST="--dest-tls-verify=false" SKSRC="--src-tls-verify=false"
  PMFLAGS="--tls-verify=false"
fi
WIPE="rm -rf $REGDIR/data/docker"
KPUSH="$KILN -q --state-dir $STATE push $KFLAGS bench-reg:1 $HOST/bench/kiln:1"
SPUSH="skopeo copy -q $SKDEST oci:$LAYOUT:1 docker://$HOST/bench/skopeo:1"
echo "push…" >&2
PUSH_K=$(bench push-kiln "$WIPE" "$KPUSH")
PUSH_S=$(bench push-skopeo "$WIPE" "$SPUSH")

# The pull source, pushed once by skopeo (not timed).
REF_SRC=$HOST/bench/src:1
skopeo copy -q $SKDEST "oci:$LAYOUT:1" "docker://$REF_SRC"
KPULL="$KILN -q --state-dir $PULLSTATE pull $KFLAGS $REF_SRC"
SPULL="skopeo copy -q $SKSRC docker://$REF_SRC oci:$WORK/pulled:1"
PPULL="podman pull -q $PMFLAGS $REF_SRC"
echo "pull…" >&2
PULL_K=$(bench pull-kiln "rm -rf $PULLSTATE" "$KPULL")
PULL_S=$(bench pull-skopeo "rm -rf $WORK/pulled" "$SPULL")
PULL_P=$(bench pull-podman "podman rmi -f $REF_SRC" "$PPULL")

cat <<EOF
image: Debian minbase + $LAYERS layers, $SIZE_MB MB of files, ${COMPRESSED} MB of blobs (gzip -1);
registry: docker-registry $SCHEME://$HOST; $RUNS runs each, median (runs)

| operation | kiln | peer | peer / kiln |
|---|---|---|---|
| push | \`kiln push\` $PUSH_K | \`skopeo copy oci:… docker://…\` $PUSH_S | $(ratio "$(median push-skopeo)" "$(median push-kiln)") |
| pull, download only | — | \`skopeo copy docker://… oci:…\` $PULL_S | — |
| pull and unpack | \`kiln pull\` $PULL_K | \`podman pull\` $PULL_P | $(ratio "$(median pull-podman)" "$(median pull-kiln)") |

commands:
  $KPUSH
  $SPUSH
  $KPULL
  $SPULL
  $PPULL
EOF
