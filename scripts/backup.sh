#!/usr/bin/env bash
# Backups of the PostgreSQL that Cognive runs as a process (pgBackRest; WAL is archived continuously by the server).
#
#   scripts/backup.sh [--state DIR] create [--type full|incr|diff]   back up now (the server must be running)
#   scripts/backup.sh [--state DIR] list                              the backups and the WAL archive's range
#   scripts/backup.sh [--state DIR] verify                            restore the latest backup into a scratch folder, start a
#                                                                     throw-away server on it, run Cognive's integrity checks
#   scripts/backup.sh [--state DIR] restore --to "<time>" | --latest  Cognive stopped: restore and replay WAL to the time
#   scripts/backup.sh [--state DIR] scheduled                         a full backup when the last is older than
#                                                                     Cognive:Backups:FullEvery, else an incremental one when
#                                                                     the last is older than IncrementalEvery (the AppHost runs
#                                                                     this every CheckEvery; or a cron line does)
#   scripts/backup.sh [--state DIR] init                              create the repository's stanza (the AppHost does)
#
# The state folder is the AppHost's (Cognive:StateDir; default .cognive/ beside the repo, or where ./run.sh put it). The
# AppHost writes the pgBackRest configuration there (postgres/backup.env, postgres/pgbackrest.conf) on every run.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
state="${COGNIVE_STATE_DIR:-}"
if [ "${1:-}" = "--state" ]; then state="$2"; shift 2; fi
if [ -z "$state" ]; then
  state="$repo/.cognive"
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$repo" 2>/dev/null; then
    state="/var/lib/cognive/$(printf '%s' "$repo" | sha256sum | cut -c1-12)"
  fi
fi
state="$(cd "$state" 2>/dev/null && pwd)" || { echo "No state folder at $state: start Cognive once first." >&2; exit 2; }
env_file="$state/postgres/backup.env"
[ -f "$env_file" ] || { echo "$env_file is missing: start Cognive once (with Cognive:Backups:Enabled=true) first." >&2; exit 2; }
# PG_BIN, PG_DATA, PG_RUN, STANZA, PGBACKREST_CONFIG, ARCHIVE_COMMAND, REPLAY_OPTIONS (settings a server replaying the
# WAL must share with the one that wrote it), FULL_EVERY_SECONDS, INCREMENTAL_EVERY_SECONDS
# shellcheck source=/dev/null
. "$env_file"
export PGBACKREST_CONFIG
PGPASSWORD="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["postgres-password"])' "$state/secrets.json")"
export PGPASSWORD

# runuser keeps the exported PGPASSWORD; it must never be a command-line argument, which every user on the machine can read.
as_postgres=()
if [ "$(id -u)" = 0 ]; then as_postgres=(runuser -u postgres --); fi
pgbackrest() { "${as_postgres[@]}" /usr/bin/pgbackrest --config="$PGBACKREST_CONFIG" --stanza="$STANZA" "$@"; }

# The running server's port, from its postmaster.pid (line 4); empty when it is not running.
running_port() {
  local pid_file="$1/postmaster.pid"
  [ -f "$pid_file" ] || return 0
  local pid
  pid="$(head -1 "$pid_file")"
  # A server that was killed leaves its pid file behind, and its pid may since be another process's (another server's
  # session among them): only a process working in this data folder is this server.
  [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$(readlink -f "$1")" ] && sed -n 4p "$pid_file"
  return 0
}

# Starts a server on a data folder (socket only, in $2), waits until recovery has ended.
start_scratch_server() {
  local data="$1" socket_dir="$2" port="$3" log="$4"
  shift 4
  set -- ${REPLAY_OPTIONS:-} "$@"
  if ! "${as_postgres[@]}" "$PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t 600 -o "-c listen_addresses= -c unix_socket_directories=$socket_dir -c port=$port $*" start >/dev/null; then
    server_failed "$log"
    return 1
  fi
  local deadline=$((SECONDS + 3600))
  until [ "$("${as_postgres[@]}" "$PG_BIN/psql" -h "$socket_dir" -p "$port" -U postgres -d postgres -Atc 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ]; do
    if ! "${as_postgres[@]}" "$PG_BIN/pg_ctl" -D "$data" status >/dev/null; then server_failed "$log"; return 1; fi
    if [ $SECONDS -gt $deadline ]; then echo "Recovery did not end within an hour; see $log" >&2; return 1; fi
    sleep 0.2
  done
}

server_failed() {
  echo "The server replaying the backup stopped; the end of its log ($1):" >&2
  tail -n 12 "$1" >&2
  if grep -q "recovery ended before configured recovery target was reached" "$1"; then
    echo "The archived WAL ends before the time asked for: restore to an earlier time, or --latest." >&2
  fi
}

stop_server() { "${as_postgres[@]}" "$PG_BIN/pg_ctl" -D "$1" -m fast -w stop >/dev/null 2>&1 || true; }

# The integrity checks (Cognive.Backups): the built assembly when there is one, else built and run from the source.
integrity_checks() {
  local dll
  for dll in "$repo"/Cognive.Backups/bin/{Release,Debug}/net10.0/Cognive.Backups.dll; do
    if [ -f "$dll" ]; then dotnet "$dll"; return; fi
  done
  dotnet run --project "$repo/Cognive.Backups" -c Release
}

require_running() {
  port="$(running_port "$PG_DATA")"
  [ -n "$port" ] || { echo "PostgreSQL is not running on $PG_DATA: start Cognive first." >&2; exit 1; }
}

# The type of backup the schedule asks for now (full, incr), or nothing.
due_type() {
  pgbackrest info --output=json | python3 -c '
import json, sys, time
full_every, incremental_every = int(sys.argv[1]), int(sys.argv[2])
backups = json.load(sys.stdin)[0].get("backup", [])
now = time.time()
fulls = [b["timestamp"]["stop"] for b in backups if b["type"] == "full"]
if not fulls or now - max(fulls) >= full_every: print("full")
elif now - max(b["timestamp"]["stop"] for b in backups) >= incremental_every: print("incr")
' "$FULL_EVERY_SECONDS" "$INCREMENTAL_EVERY_SECONDS"
}

command="${1:-}"
shift || true
# One backup command at a time per state folder: pgBackRest refuses a second backup of the stanza ("is another pgBackRest
# process running?"), so the AppHost's schedule, a dashboard command, cron and a person at a shell wait their turn. The
# lock passes on to the create that scheduled execs into.
if [ "$command" != list ] && [ -z "${COGNIVE_BACKUP_LOCK_HELD:-}" ]; then
  exec 9>"$state/backup.lock"
  flock -w 3600 9 || { echo "Another backup command held $state/backup.lock for an hour." >&2; exit 1; }
  export COGNIVE_BACKUP_LOCK_HELD=1
fi
case "$command" in
  init)
    require_running
    pgbackrest --pg1-port="$port" stanza-create
    ;;
  scheduled)
    type="$(due_type)"
    if [ -z "$type" ]; then echo "No backup due."; exit 0; fi
    exec "$0" --state "$state" create --type "$type"
    ;;
  create)
    type=incr
    if [ "${1:-}" = "--type" ]; then type="$2"; fi
    require_running
    started=$SECONDS
    # pgBackRest makes the first backup full whatever the type asked for.
    pgbackrest --pg1-port="$port" --type="$type" backup
    echo "Backup ($type) done in $((SECONDS - started)) s."
    pgbackrest info --set="$(pgbackrest info --output=json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["backup"][-1]["label"])')" | sed -n '/backup:/,$p'
    ;;
  list)
    pgbackrest info
    ;;
  verify)
    scratch="$state/postgres/verify"
    rm -rf "$scratch"
    mkdir -p "$scratch/data" "$scratch/run"
    chmod 700 "$scratch/data"
    if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$scratch"; fi
    trap 'stop_server "$scratch/data"; rm -rf "$scratch"' EXIT
    label="$(pgbackrest info --output=json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["backup"][-1]["label"])')"
    echo "Verifying backup $label ..."
    started=$SECONDS
    # Consistent at the backup's end, not replayed further; the scratch server archives nothing into the repository.
    pgbackrest --pg1-path="$scratch/data" --set="$label" --type=immediate --target-action=promote --archive-mode=off restore
    start_scratch_server "$scratch/data" "$scratch/run" 5432 "$scratch/server.log"
    echo "Restored and started in $((SECONDS - started)) s; checking ..."
    ConnectionStrings__cognive="Host=$scratch/run;Port=5432;Username=postgres;Password=$PGPASSWORD;Database=cognive;Pooling=false" \
      Cognive__Audit__SigningKey="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("audit-signing-key", ""))' "$state/secrets.json")" \
      integrity_checks
    echo "Backup $label verified."
    ;;
  restore)
    target=()
    case "${1:-}" in
      --to) [ -n "${2:-}" ] || { echo "restore --to needs a time, e.g. \"2026-11-30 15:04:05+00\"" >&2; exit 2; }
            target=(--type=time --target="$2" --target-action=promote) ;;
      --latest) target=() ;;
      *) echo "restore --to \"<time>\" | --latest" >&2; exit 2 ;;
    esac
    if [ -n "$(running_port "$PG_DATA")" ]; then
      echo "PostgreSQL is running on $PG_DATA: stop Cognive first (Ctrl+C on ./run.sh, or 'dotnet aspire stop'), so nothing writes during the restore." >&2
      exit 1
    fi
    # A server that was killed rather than stopped leaves its pid file; pgBackRest takes that for a running server.
    rm -f "$PG_DATA/postmaster.pid"
    started=$SECONDS
    # --delta rewrites only the files that differ; it works on a damaged or missing data folder too.
    mkdir -p "$PG_DATA"
    chmod 700 "$PG_DATA"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PG_DATA"; fi
    pgbackrest --delta "${target[@]}" restore
    # Replay now, with archiving on (the new timeline's history belongs in the repository), so the next start is a plain one.
    log="$state/postgres/restore.log"
    "${as_postgres[@]}" bash -c ': > "$1"' _ "$log"
    start_scratch_server "$PG_DATA" "$PG_RUN" 5432 "$log" -c archive_mode=on "-c archive_command='$ARCHIVE_COMMAND'"
    stop_server "$PG_DATA"
    # Redis's spend counters and holds describe the database as it was: without them, the services rebuild them from PostgreSQL.
    rm -rf "$state/redis/appendonlydir" "$state/redis/dump.rdb"
    echo "Restored in $((SECONDS - started)) s."
    grep -hoE '(recovery stopping .*|last completed transaction was at log time .*)' "$log" | sed 's/^/  /' || true
    echo "Start Cognive again (./run.sh); messages still queued in RabbitMQ are stored then."
    ;;
  *)
    sed -n '2,9p' "$0" >&2
    exit 2
    ;;
esac
