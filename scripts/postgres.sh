#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: never the Debian-packaged cluster.
#
#   scripts/postgres.sh start    initdb on first use, start, wait until ready (idempotent)
#   scripts/postgres.sh stop     stop it if running (ok when not running / never created)
#   scripts/postgres.sh url      print the connection URL
#   scripts/postgres.sh replica  start a streaming replica of it on the next port (after `start`; idempotent)
#   scripts/postgres.sh replica-url  print the replica's connection URL
#   scripts/postgres.sh destroy  stop and delete its data (used by `make clean`)
#
# Data lives in var/pg/data (var/pg/run holds the unix socket, var/pg/postgres.log
# the server log). When the postgres user cannot reach var/pg (e.g. the work
# tree is under a 0700 home directory), a directory made with mktemp under /tmp
# is used instead and its path remembered in var/pg/location.
# Listens on 127.0.0.1:${JICENG_PG_PORT:-54329} only, trust authentication,
# superuser "postgres"; fsync, synchronous_commit and full_page_writes are off:
# fast and not crash-safe, for tests only.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${JICENG_PG_PORT:-54329}"
HOST=127.0.0.1
PGVAR="$ROOT/var/pg"
LOCATION_FILE="$PGVAR/location"

die() { echo "postgres.sh: $*" >&2; exit 1; }

REPLICA_PORT=$((PORT + 1))

url() { echo "postgresql://postgres@$HOST:$PORT/postgres"; }

replica_url() { echo "postgresql://postgres@$HOST:$REPLICA_PORT/postgres"; }

# Run a PostgreSQL binary as the postgres system user when we are root
# (the server refuses to run as root), from / so an unreadable cwd is no issue.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

pg_bin() { # highest installed server version with initdb and pg_ctl
    local d best
    # sort numerically on the version component (glob order is lexical: 9 > 15)
    best="$(for d in /usr/lib/postgresql/*/bin; do
                if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; fi
            done | sort -t/ -k5,5V | tail -n1)"
    [ -n "$best" ] || die "no PostgreSQL server found under /usr/lib/postgresql (run scripts/system-deps.sh)"
    echo "$best"
}

# Is DIR a directory that the server's user can create files in?
usable() {
    [ -d "$1" ] && as_pg test -w "$1" -a -x "$1" 2>/dev/null
}

# Print the base directory (holding data/, run/, postgres.log), creating it if
# CREATE=1; print nothing if there is none and CREATE=0.
base_dir() {
    local create="$1" base
    if [ -f "$LOCATION_FILE" ]; then
        base="$(cat "$LOCATION_FILE")"
        if [ -d "$base" ]; then echo "$base"; return; fi
        [ "$create" = 1 ] || return 0
        rm -f "$LOCATION_FILE"  # remembered /tmp dir is gone (reboot): make a new one
    fi
    if [ -d "$PGVAR/data" ] || [ "$create" = 0 ]; then
        [ -d "$PGVAR/data" ] && echo "$PGVAR"
        return 0
    fi
    mkdir -p "$PGVAR"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGVAR"
    # unix socket paths are limited to 107 bytes
    local sock="$PGVAR/run/.s.PGSQL.$PORT"
    if usable "$PGVAR" && [ "${#sock}" -le 100 ]; then
        echo "$PGVAR"
        return
    fi
    base="$(mktemp -d /tmp/jiceng-pg.XXXXXX)"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$base"
    echo "$base" >"$LOCATION_FILE"
    echo "postgres.sh: postgres cannot use $PGVAR; using $base" >&2
    echo "$base"
}

is_running() { # is_running BIN DATA
    [ -f "$2/PG_VERSION" ] && as_pg "$1/pg_ctl" status -D "$2" >/dev/null 2>&1
}

write_conf() { # write_conf BASE [DATA PORT RUN]: settings re-written at each start, included from postgresql.conf
    local base="$1" data="${2:-$1/data}" port="${3:-$PORT}" run="${4:-$1/run}" conf
    conf="listen_addresses = '$HOST'
port = $port
unix_socket_directories = '$run'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
log_min_messages = warning"
    as_pg tee "$data/jiceng.conf" >/dev/null <<<"$conf"
}

start() {
    local bin base data locale_opt i
    bin="$(pg_bin)"
    if [ "$(id -u)" -eq 0 ] && ! id -u postgres >/dev/null 2>&1; then
        die "no 'postgres' system user (install the postgresql package: scripts/system-deps.sh)"
    fi
    base="$(base_dir 1)"
    data="$base/data"
    if ! [ -f "$data/PG_VERSION" ]; then
        local locales
        locales="$(locale -a 2>/dev/null || true)"
        if grep -qiE '^c\.utf-?8$' <<<"$locales"; then
            locale_opt=(--locale=C.UTF-8)
        else
            locale_opt=(--no-locale)
        fi
        rm -rf "$data"
        as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 \
            "${locale_opt[@]}" >"$base/initdb.log" 2>&1 \
            || { cat "$base/initdb.log" >&2; die "initdb failed"; }
        echo "include 'jiceng.conf'" | as_pg tee -a "$data/postgresql.conf" >/dev/null
    fi
    as_pg mkdir -p "$base/run"
    if is_running "$bin" "$data"; then
        echo "postgres.sh: already running ($data)" >&2
    else
        write_conf "$base"
        as_pg "$bin/pg_ctl" start -D "$data" -l "$base/postgres.log" -w -t 60 >/dev/null \
            || { tail -n 30 "$base/postgres.log" >&2 || true; die "pg_ctl start failed"; }
    fi
    for i in $(seq 1 60); do
        "$bin/pg_isready" -q -h "$HOST" -p "$PORT" -d postgres -U postgres && {
            echo "postgres.sh: ready at $(url)" >&2
            return 0
        }
        sleep 0.5
    done
    die "server did not become ready on $HOST:$PORT (log: $base/postgres.log)"
}

wait_ready() { # wait_ready BIN PORT LOG
    local i
    for i in $(seq 1 60); do
        "$1/pg_isready" -q -h "$HOST" -p "$2" -d postgres -U postgres && return 0
        sleep 0.5
    done
    die "server did not become ready on $HOST:$2 (log: $3)"
}

# A hot standby streaming from the throwaway server (pg_basebackup -R): what the read-replica test reads
# from. Its data lives beside the primary's (replica/), its socket in run-replica/; copied afresh whenever
# it is not running.
replica() {
    local bin base data
    bin="$(pg_bin)"
    base="$(base_dir 0)"
    [ -n "$base" ] && is_running "$bin" "$base/data" || die "start the primary first (scripts/postgres.sh start)"
    data="$base/replica"
    # a standby that was stopped may have missed WAL the primary has since recycled: a fresh copy each start
    if ! is_running "$bin" "$data"; then
        as_pg rm -rf "$data"
        as_pg "$bin/pg_basebackup" -h "$HOST" -p "$PORT" -U postgres -D "$data" -R -X stream >"$base/basebackup.log" 2>&1 \
            || { cat "$base/basebackup.log" >&2; die "pg_basebackup failed"; }
    fi
    as_pg mkdir -p "$base/run-replica"
    if ! is_running "$bin" "$data"; then
        write_conf "$base" "$data" "$REPLICA_PORT" "$base/run-replica"
        as_pg "$bin/pg_ctl" start -D "$data" -l "$base/replica.log" -w -t 60 >/dev/null \
            || { tail -n 30 "$base/replica.log" >&2 || true; die "replica start failed"; }
    fi
    wait_ready "$bin" "$REPLICA_PORT" "$base/replica.log"
    echo "postgres.sh: replica ready at $(replica_url)" >&2
}

stop() {
    local bin base
    base="$(base_dir 0)"
    [ -n "$base" ] || return 0
    bin="$(pg_bin)"
    if is_running "$bin" "$base/replica"; then
        as_pg "$bin/pg_ctl" stop -D "$base/replica" -m fast -w -t 60 >/dev/null
    fi
    if is_running "$bin" "$base/data"; then
        as_pg "$bin/pg_ctl" stop -D "$base/data" -m fast -w -t 60 >/dev/null
        echo "postgres.sh: stopped" >&2
    fi
}

destroy() {
    local base
    base="$(base_dir 0)"
    [ -n "$base" ] || { rm -rf "$PGVAR"; return 0; }
    if compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null; then stop; fi
    rm -rf "$base/data" "$base/run" "$base/postgres.log" "$base/initdb.log" \
        "$base/replica" "$base/run-replica" "$base/replica.log" "$base/basebackup.log"
    [ "$base" = "$PGVAR" ] || rmdir "$base" 2>/dev/null || true
    rm -rf "$PGVAR"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) url ;;
    replica) replica ;;
    replica-url) replica_url ;;
    destroy) destroy ;;
    *) echo "usage: $0 start|stop|url|replica|replica-url|destroy" >&2; exit 2 ;;
esac
