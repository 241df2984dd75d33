#!/usr/bin/env bash
# Makes postgres-15-oci/: an OCI image layout (ref "postgres") that stands in for Docker's
# postgres image in act's `services` case: the Debian minbase rootfs plus the host's PostgreSQL 15
# (postgresql-15, from scripts/install-deps.sh) and the libraries its programs load, with an
# entrypoint that does what the official image's does: initdb as user postgres with
# POSTGRES_USER/POSTGRES_PASSWORD/POSTGRES_DB, then postgres listening on every address.
# PATH starts with /usr/lib/postgresql/15/bin, so `pg_isready` works as a health check.
# Usage: fixtures-postgres.sh CACHE (CACHE holds debian-bookworm-minbase.tar). Idempotent.
set -euo pipefail
cache=$1
out="$cache/postgres-15-oci"
[ -s "$out/index.json" ] && { echo "fixtures: $out present"; exit 0; }
pg=/usr/lib/postgresql/15
[ -x "$pg/bin/postgres" ] || { echo "fixtures: $pg missing (scripts/install-deps.sh)" >&2; exit 1; }
work=$(mktemp -d "$cache/postgres.XXXXXX")
trap 'rm -rf "$work"' EXIT
umoci init --layout "$work/oci" && umoci new --image "$work/oci:postgres"
umoci unpack --image "$work/oci:postgres" "$work/bundle" >/dev/null
root="$work/bundle/rootfs"
tar --numeric-owner -C "$root" -xf "$cache/debian-bookworm-minbase.tar"
# The server and its data files, without the JIT (it would need LLVM).
mkdir -p "$root$pg" "$root/usr/share/postgresql"
cp -a "$pg/bin" "$pg/lib" "$root$pg/"
rm -f "$root$pg/lib/llvmjit"*
cp -a /usr/share/postgresql/15 "$root/usr/share/postgresql/"
# Every library those programs load that the base lacks, at the host's path.
for f in "$root$pg"/bin/* "$root$pg"/lib/*.so; do
  ldd "$f" 2>/dev/null | awk '/=> \// {print $3}'
done | sort -u | while read -r lib; do
  [ -e "$root$lib" ] || cp -L "$lib" "$root$lib"
done
grep -q '^postgres:' "$root/etc/passwd" || {
  echo 'postgres:x:999:999:PostgreSQL:/var/lib/postgresql:/bin/sh' >>"$root/etc/passwd"
  echo 'postgres:x:999:' >>"$root/etc/group"
}
mkdir -p "$root/var/lib/postgresql" "$root/var/run/postgresql"
chown 999:999 "$root/var/lib/postgresql" "$root/var/run/postgresql"
cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
# As Docker's postgres image: a new cluster from POSTGRES_* on the first start, then the server.
set -e
PGDATA=${PGDATA:-/var/lib/postgresql/data}
export PGDATA
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  user=${POSTGRES_USER:-postgres}
  pwfile=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}" >"$pwfile"
  initdb -U "$user" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  db=${POSTGRES_DB:-$user}
  if [ "$db" != postgres ]; then
    echo "CREATE DATABASE \"$db\";" | postgres --single -D "$PGDATA" postgres >/dev/null
  fi
  echo 'host all all all scram-sha-256' >>"$PGDATA/pg_hba.conf"
fi
exec "$@" -c listen_addresses='*'
SH
chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"
umoci repack --image "$work/oci:postgres" "$work/bundle" >/dev/null
umoci config --image "$work/oci:postgres" \
  --config.env "PATH=$pg/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --config.env PGDATA=/var/lib/postgresql/data \
  --config.entrypoint /usr/local/bin/docker-entrypoint.sh --config.cmd postgres \
  --config.exposedports 5432/tcp
umoci gc --layout "$work/oci"
rm -rf "$out" && mv "$work/oci" "$out"
echo "fixtures: wrote $out ($(du -sh "$out" | cut -f1))"
