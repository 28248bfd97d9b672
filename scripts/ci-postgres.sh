#!/usr/bin/env bash
# Prepare a throw-away PostgreSQL database for the contract tests and print its URL on stdout.
#
#   url=$(scripts/ci-postgres.sh)            # creates datenhub_ci_<random>; prints nothing if no server
#   DATENHUB_TEST_POSTGRES_URL="$url" make test
#   scripts/ci-postgres.sh --drop "$url"     # afterwards
#
# Server and admin user come from PGHOST, PGPORT, PGUSER, PGPASSWORD (default 127.0.0.1:5432, postgres).
# When the server lacks PostGIS and this machine can install it (root, apt-get, a local server), it does:
# apt-get install postgresql-<major>-postgis-3. Without a reachable server it says so and exits 0, so CI
# runs the SQLite suite alone. Messages go to stderr; stdout carries only the URL.
set -euo pipefail

export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
export PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-5}"

say() { echo "ci-postgres: $*" >&2; }
skip() { say "$* - skipping the PostgreSQL run (exit 0)"; exit 0; }
sql() { psql -X -v ON_ERROR_STOP=1 -qtA "$@"; }

if ! command -v psql >/dev/null 2>&1; then
    skip "psql not found (apt-get install postgresql-client)"
fi

if [ "${1:-}" = "--drop" ]; then
    name="${2:-}"
    name="${name##*/}"; name="${name%%\?*}"
    case "$name" in
        datenhub_ci_*) sql -d postgres -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" && say "dropped $name" ;;
        *) say "refusing to drop '$name': only datenhub_ci_* databases made by this script"; exit 2 ;;
    esac
    exit 0
fi

if ! sql -d postgres -c "SELECT 1" >/dev/null 2>&1; then
    skip "no PostgreSQL server reachable at $PGHOST:$PGPORT as $PGUSER"
fi

major="$(sql -d postgres -c "SELECT current_setting('server_version_num')::int / 10000")"
has_postgis() { [ "$(sql -d postgres -c "SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'")" = "1" ]; }

if ! has_postgis; then
    local_server=no
    case "$PGHOST" in 127.0.0.1|localhost|::1|/*) local_server=yes ;; esac
    if [ "$local_server" = yes ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing postgresql-$major-postgis-3"
        if apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$major-postgis-3" >&2; then
            say "PostGIS installed"
        else
            say "could not install PostGIS; the tests run on the lat/lon fallback"
        fi
    else
        say "PostGIS is not installed on the server; the tests run on the lat/lon fallback"
    fi
fi

name="datenhub_ci_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
sql -d postgres -c "CREATE DATABASE \"$name\"" >/dev/null
for extension in postgis pg_trgm unaccent; do
    if ! sql -d "$name" -c "CREATE EXTENSION IF NOT EXISTS $extension" >/dev/null 2>&1; then
        say "extension $extension not available in $name (optional)"
    fi
done
say "created database $name"

auth="$PGUSER"
if [ -n "${PGPASSWORD:-}" ]; then
    auth="$PGUSER:$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$PGPASSWORD")"
fi
case "$PGHOST" in
    /*) echo "postgresql://$auth@/$name?host=$PGHOST&port=$PGPORT" ;;  # a Unix socket folder
    *:*) echo "postgresql://$auth@[$PGHOST]:$PGPORT/$name" ;;
    *) echo "postgresql://$auth@$PGHOST:$PGPORT/$name" ;;
esac
