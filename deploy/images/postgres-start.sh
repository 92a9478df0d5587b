#!/bin/sh
# Starts PostgreSQL in $PGDATA (created on first start): user POSTGRES_USER (default spine) with
# POSTGRES_PASSWORD owns database POSTGRES_DB (default spine); only TLS connections with a
# password are accepted, with the certificate and key in TLS_DIR (default /etc/spine-tls).
set -eu
: "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD (the Secret spine-secrets)}"
user=${POSTGRES_USER:-spine} db=${POSTGRES_DB:-spine} tls=${TLS_DIR:-/etc/spine-tls}
[ -r "$tls/tls.crt" ] && [ -r "$tls/tls.key" ] || { echo "no TLS certificate: mount tls.crt and tls.key in $tls (the Secret spine-postgres-tls)" >&2; exit 1; }
bin=$(ls -d /usr/lib/postgresql/*/bin | tail -1)
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA" && chmod 700 "$PGDATA"
  printf '%s\n' "$POSTGRES_PASSWORD" > /tmp/password
  "$bin/initdb" -D "$PGDATA" -U "$user" --pwfile=/tmp/password --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f /tmp/password
  "$bin/postgres" --single -D "$PGDATA" -c config_file="$PGDATA/postgresql.conf" postgres <<SQL >/dev/null
CREATE DATABASE "$db" OWNER "$user";
SQL
  printf 'local all all scram-sha-256\nhostssl all all all scram-sha-256\n' > "$PGDATA/pg_hba.conf"
fi
# the key must belong to the server's user and be readable by it only
cp "$tls/tls.crt" "$PGDATA/server.crt" && cp "$tls/tls.key" "$PGDATA/server.key" && chmod 600 "$PGDATA/server.key"
exec "$bin/postgres" -D "$PGDATA" -c listen_addresses='*' -c ssl=on \
  -c ssl_cert_file="$PGDATA/server.crt" -c ssl_key_file="$PGDATA/server.key"
