#!/bin/sh
# Starts PostgreSQL in $PGDATA (created on first start): user POSTGRES_USER (default spine) with
# POSTGRES_PASSWORD owns database POSTGRES_DB (default spine); only TLS connections with a
# password are accepted, with the certificate and key in TLS_CERT and TLS_KEY (PEM text).
set -eu
: "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD (the Secret spine-secrets)}"
: "${TLS_CERT:?set TLS_CERT and TLS_KEY (the Secret spine-postgres-tls)}"
: "${TLS_KEY:?set TLS_KEY (the Secret spine-postgres-tls)}"
user=${POSTGRES_USER:-spine} db=${POSTGRES_DB:-spine}
bin=$(ls -d /usr/lib/postgresql/*/bin | tail -1)
umask 077
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"
  printf '%s\n' "$POSTGRES_PASSWORD" >/tmp/password
  "$bin/initdb" -D "$PGDATA" -U "$user" --pwfile=/tmp/password --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f /tmp/password
  echo "CREATE DATABASE \"$db\" OWNER \"$user\";" | "$bin/postgres" --single -D "$PGDATA" postgres >/dev/null
  printf 'local all all scram-sha-256\nhostssl all all all scram-sha-256\n' >"$PGDATA/pg_hba.conf"
fi
# the key readable by the server's user only, as PostgreSQL requires
printf '%s\n' "$TLS_CERT" >"$PGDATA/server.crt"
printf '%s\n' "$TLS_KEY" >"$PGDATA/server.key"
unset POSTGRES_PASSWORD TLS_KEY
exec "$bin/postgres" -D "$PGDATA" -c listen_addresses='*' -c ssl=on \
  -c ssl_cert_file="$PGDATA/server.crt" -c ssl_key_file="$PGDATA/server.key"
