#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for tests and CI. Installs nothing: needs Debian's postgresql
# (initdb and pg_ctl under /usr/lib/postgresql/<version>/bin) and python3 (to find a free port).
#
#   eval "$(scripts/ci_postgres.sh start)"    # exports SITE_BUILDER_TEST_POSTGRES and SITE_BUILDER_PG_DIR
#   scripts/ci_postgres.sh stop "$SITE_BUILDER_PG_DIR"
#
# start: initdb + pg_ctl into a new temporary folder, as the unprivileged user "postgres" when run
# as root (runuser), listening on 127.0.0.1 on a free port only, its socket in that folder;
# password login (scram-sha-256) with a random password. Prints the export lines on stdout.
# stop: pg_ctl stop (fast) and remove the folder.
set -euo pipefail

bindir() {
    if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
        pg_config --bindir
        return
    fi
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$found" ] && [ -x "$found/initdb" ] || { echo "ci_postgres.sh: no initdb found (apt-get install -y postgresql)" >&2; exit 2; }
    echo "$found"
}

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
    local bin dir port password
    bin=$(bindir)
    dir=$(mktemp -d "${TMPDIR:-/tmp}/site-builder-pg.XXXXXX")
    chmod 700 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    printf '%s\n' "$password" >"$dir/pwfile"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir/pwfile"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" -A scram-sha-256 -E UTF8 \
        --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }
    rm -f "$dir/pwfile"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=40" start >/dev/null \
        || { cat "$dir/server.log" >&2; rm -rf "$dir"; exit 1; }
    echo "export SITE_BUILDER_TEST_POSTGRES='postgresql+psycopg://postgres:$password@127.0.0.1:$port/postgres'"
    echo "export SITE_BUILDER_PG_DIR='$dir'"
}

stop() {
    local dir=${1:-${SITE_BUILDER_PG_DIR:-}}
    [ -n "$dir" ] && [ -d "$dir" ] || { echo "ci_postgres.sh: stop needs the cluster folder" >&2; exit 2; }
    case "$dir" in */site-builder-pg.*) ;; *) echo "ci_postgres.sh: $dir is not a cluster folder of this script" >&2; exit 2 ;; esac
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$dir"
}

case "${1:-}" in
    start) start ;;
    stop) stop "${2:-}" ;;
    *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
