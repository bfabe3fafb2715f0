#!/usr/bin/env bash
# A throwaway PostgreSQL cluster in a directory, for tests and benchmarks:
#   Tools/pg-cluster.sh start DIR   initdb + pg_ctl start (unix socket in DIR, no TCP); prints the URL of
#                                   database "nation", owned by role "ledger_sync" (no superuser)
#   Tools/pg-cluster.sh stop DIR    stops it (the caller removes DIR)
# PostgreSQL refuses to run as root: as root, the server runs as the unprivileged user "postgres"
# (created by Debian's package) and DIR is handed to it.
set -euo pipefail
action=${1:?start or stop}
dir=${2:?directory}
bindir=""
for candidate in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    if [ -x "$candidate/initdb" ]; then bindir=$candidate; break; fi
done
if [ -z "$bindir" ] && command -v pg_config >/dev/null 2>&1; then bindir=$(pg_config --bindir); fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    echo "PostgreSQL's server (initdb, pg_ctl) is not installed; Tools/ensure-postgresql.sh installs it" >&2
    exit 69
fi
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case $action in
start)
    # The server must not inherit the caller's descriptors (a test runner waits for them to close).
    for fd in /proc/$$/fd/*; do
        fd=${fd##*/}
        if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(( 20000 + RANDOM % 20000 ))
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-k $dir -p $port -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    psql="psql -X -q -v ON_ERROR_STOP=1 -h $dir -p $port -U postgres -d postgres"
    $psql -c "CREATE ROLE ledger_sync LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE" >/dev/null
    $psql -c "CREATE DATABASE nation OWNER ledger_sync" >/dev/null
    echo "postgresql://ledger_sync@/nation?host=$dir&port=$port"
    ;;
stop)
    if [ -d "$dir/data" ]; then as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2; exit 64 ;;
esac
