#!/usr/bin/env bash
# Backup figures of Cognive's PostgreSQL with pgBackRest, each beside a ceiling measured in the same run, on a server of
# its own (its own folder under /tmp, removed at the end) configured as the AppHost configures the process form:
#   backup time and size for N calls     beside: reading the data folder (tar | lz4) and its size on disk
#   restore time (RTO) of that backup     beside: copying the data folder (cp -a), plus the server's start
#   WAL archive lag under R events/s       beside: the time a WAL segment takes to fill (what archive_timeout bounds)
#   ingestion cost of archiving           beside: the same insert load with archiving off
# Usage: bench/backup.sh [calls, default 10000000] [events/s, default 5000] [seconds of steady load, default 60]
# The calls are rows of Cognive's own llm_calls table (the time-series part of Cognive.Data/Migrations/Baseline.sql), spread
# over 30 days.
set -euo pipefail
calls="${1:-10000000}"
rate="${2:-5000}"
seconds="${3:-60}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
work="$(mktemp -d /tmp/cognive-bench-backup-XXXXXX)"
chmod 755 "$work"
as_postgres=()
if [ "$(id -u)" = 0 ]; then as_postgres=(runuser -u postgres --); chown postgres:postgres "$work"; fi
run() { "${as_postgres[@]}" "$@"; }
port=$((20000 + RANDOM % 20000))
data="$work/data"
conf="$work/pgbackrest.conf"
run mkdir -p "$work/repo" "$work/run" "$work/log" "$work/lock" "$work/spool"
cat > "$conf" <<EOF
[global]
repo1-path=$work/repo
repo1-retention-full=2
compress-type=lz4
start-fast=y
archive-async=y
process-max=2
spool-path=$work/spool
lock-path=$work/lock
log-path=$work/log
log-level-console=warn
[cognive]
pg1-path=$data
pg1-socket-path=$work/run
pg1-port=$port
EOF
chmod 644 "$conf"
backrest() { run pgbackrest --config="$conf" --stanza=cognive "$@"; }
archive_command="pgbackrest --config=$conf --stanza=cognive archive-push %p"
psql_() { run "$bin/psql" -h "$work/run" -p "$port" -U postgres -d cognive -qAt "$@"; }
start() { # $1: data folder; rest: extra server settings
  local folder="$1"; shift
  run "$bin/pg_ctl" -D "$folder" -l "$work/server.log" -w -t 3600 -o "-c listen_addresses= -c unix_socket_directories=$work/run -c port=$port -c max_wal_size=4GB $*" start >/dev/null
}
stop() { run "$bin/pg_ctl" -D "$1" -m fast -w stop >/dev/null 2>&1 || true; }
cleanup() { stop "$data"; stop "$work/restored"; stop "$work/copied"; rm -rf "$work"; }
trap cleanup EXIT
now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }
mib() { du -sm "$1" | cut -f1; }

run "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
archiving="-c archive_mode=on -c archive_timeout=60 -c archive_command='$archive_command'"
start "$data" "$archiving"
run "$bin/createdb" -h "$work/run" -p "$port" -U postgres cognive
# The baseline's time-series tables and partition function; its audit triggers need EF Core's tables, which this server lacks.
sed '/^-- Audit records/,$d' "$repo/Cognive.Data/Migrations/Baseline.sql" | psql_ >/dev/null
psql_ -c "SELECT cognive_ensure_partitions('llm_calls', 'day', 31, 1)" >/dev/null
backrest stanza-create

echo "Loading $calls calls ..."
t0=$(now)
psql_ <<SQL
INSERT INTO llm_calls (event_id, team_id, run_id, agent_id, provider, model, input_tokens, output_tokens, cached_input_tokens,
                       latency_ms, status, cost, occurred_at, received_at)
SELECT gen_random_uuid(), '00000000-0000-0000-0000-000000000001', gen_random_uuid(), gen_random_uuid(), 'openai', 'gpt-4o-mini',
       1000 + i % 500, 200 + i % 100, 0, 850, 'success', 0.00042, now() - (i % 2592000) * interval '1 second', now()
FROM generate_series(1, $calls) AS i;
CHECKPOINT;
SQL
echo "  loaded in $(elapsed "$t0" "$(now)") s; database $(mib "$data") MiB on disk"

echo "Backup (full) ..."
t0=$(now)
backrest --type=full backup
backup_s=$(elapsed "$t0" "$(now)")
t0=$(now)
# tar exits 1 when a file changes while read (autovacuum on a large table); the read is what is timed.
{ run tar --warning=no-file-changed -C "$data" -cf - . || [ $? -eq 1 ]; } | lz4 -q -1 - - | wc -c >/dev/null
read_s=$(elapsed "$t0" "$(now)")
echo "  backup: ${backup_s} s, repository $(mib "$work/repo/backup") MiB   | ceiling: tar|lz4 of the data folder ${read_s} s, data $(mib "$data") MiB"

echo "WAL archive lag under $rate events/s for $seconds s (batches of 50 rows, as the workers write) ..."
cat > "$work/insert.sql" <<'SQL'
INSERT INTO llm_calls (event_id, team_id, run_id, agent_id, provider, model, input_tokens, output_tokens, cached_input_tokens,
                       latency_ms, status, cost, occurred_at, received_at)
SELECT gen_random_uuid(), '00000000-0000-0000-0000-000000000002', gen_random_uuid(), gen_random_uuid(), 'openai', 'gpt-4o-mini',
       1000, 200, 0, 850, 'success', 0.00042, now(), now() FROM generate_series(1, 50);
SQL
chmod 644 "$work/insert.sql"
pgbench() { run "$bin/pgbench" -h "$work/run" -p "$port" -U postgres -n -f "$work/insert.sql" -c 4 -j 2 "$@" cognive; }
pgbench -R $((rate / 50)) -T "$seconds" >/dev/null 2>&1 &
load=$!
# Every 0.2 s: the segment being written and the last one archived. A segment's lag runs from when writing moved past it
# to when it was archived; its fill time is how long writing stayed in it.
python3 - "$work/run" "$port" "$seconds" "$bin/psql" "${as_postgres[*]}" <<'PY'
import subprocess, sys, time
sock, port, seconds, psql, as_pg = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5].split()
q = "SELECT pg_walfile_name(pg_current_wal_lsn()) || ' ' || coalesce(last_archived_wal, '') FROM pg_stat_archiver"
current_since, finished, lags, fills, last = {}, {}, [], [], None
end = time.time() + seconds
while time.time() < end:
    out = subprocess.run(as_pg + [psql, "-h", sock, "-p", port, "-U", "postgres", "-d", "cognive", "-qAtc", q], capture_output=True, text=True).stdout.split()
    t = time.time()
    if not out: continue
    cur, archived = out[0], (out[1] if len(out) > 1 else "")
    if cur not in current_since:
        if last is not None: finished[last] = t; fills.append(t - current_since[last])
        current_since[cur] = t; last = cur
    for seg, done in list(finished.items()):
        if archived >= seg:
            lags.append(t - done); del finished[seg]
    time.sleep(0.2)
if lags:
    lags.sort(); fills.sort()
    print(f"  archive lag: median {lags[len(lags)//2]:.1f} s, max {lags[-1]:.1f} s over {len(lags)} segments   | ceiling: a segment fills in median {fills[len(fills)//2]:.1f} s")
    print(f"  RPO (fill + lag, worst): {max(fills) + lags[-1]:.1f} s; on a quiet server archive_timeout (60 s) bounds it")
else:
    print("  no WAL segment was completed during the load: raise the rate or the duration")
PY
wait "$load" || true

echo "Ingestion cost of archiving (inserts as fast as they go; on and off alternated twice, 15 s each, best of each) ..."
best_on=0; best_off=0
for round in 1 2; do
  for mode in off on; do
    stop "$data"
    if [ "$mode" = on ]; then start "$data" "$archiving"; else start "$data" "-c archive_mode=off"; fi
    tps=$(pgbench -T 15 2>/dev/null | grep -oP 'tps = \K[0-9.]+' | head -1)
    if [ "$mode" = on ]; then best_on=$(python3 -c "print(max($best_on, $tps))"); else best_off=$(python3 -c "print(max($best_off, $tps))"); fi
  done
done
python3 -c "import sys; w, wo = float(sys.argv[1]) * 50, float(sys.argv[2]) * 50; print(f'  archiving on: {w:,.0f} calls/s   | ceiling (archiving off): {wo:,.0f} calls/s; cost {100 * (1 - w / wo):.1f} %')" "$best_on" "$best_off"
backrest --type=incr backup

echo "Restore (RTO) of the latest backup ..."
run mkdir -m 700 "$work/restored"
t0=$(now)
backrest --pg1-path="$work/restored" --archive-mode=off restore
stop "$data"
start "$work/restored"
until [ "$(psql_ -c 'SELECT pg_is_in_recovery()')" = f ]; do sleep 0.2; done
restore_s=$(elapsed "$t0" "$(now)")
restored_calls=$(psql_ -c 'SELECT count(*) FROM llm_calls')
stop "$work/restored"
t0=$(now)
run cp -a "$data" "$work/copied"
start "$work/copied" "-c archive_mode=off"
copy_s=$(elapsed "$t0" "$(now)")
echo "  restore to a running server: ${restore_s} s (${restored_calls} calls)   | ceiling: cp -a of the data folder and a start ${copy_s} s"
