#!/usr/bin/env bash
# Runs PostgreSQL (the command and arguments given) with its log split by who it concerns. PostgreSQL writes every log
# line to stderr, which Aspire shows and forwards as errors; here only the server's own faults stay there: WARNING and
# above from its own processes (postmaster, checkpointer, autovacuum, archiver…) and any line it could not place. What a
# client session caused (a failed statement, a refused login, its connection ended at shutdown) is that client's to
# report, and it is told: those lines, like LOG lines, go to stdout. Needs log_line_prefix '%m [%p] %b ' (backend type).
# exec keeps the PID the one Aspire started, so its stop signal reaches PostgreSQL as before.
set -euo pipefail
# A server of the previous run can still be shutting down for a few seconds after `aspire stop` returned (it ends its
# sessions and writes a checkpoint): starting beside it fails on its postmaster.pid and leaves everything waiting, so
# wait for it to finish first.
data=""
for ((i = 1; i < $#; i++)); do [[ "${!i}" == "-D" ]] && { next=$((i + 1)); data="${!next}"; }; done
previous="$( [[ -n "$data" && -f "$data/postmaster.pid" ]] && head -n 1 "$data/postmaster.pid" || true)"
# Only a process working in the data folder is that server: a killed one's pid may since be another process's.
if [[ "$previous" =~ ^[0-9]+$ ]] && [[ "$(readlink "/proc/$previous/cwd" 2>/dev/null)" == "$(readlink -f "$data")" ]]; then
  echo "waiting for the previous PostgreSQL (pid $previous) to finish shutting down"
  for _ in $(seq 1 600); do [[ -d "/proc/$previous" ]] || break; sleep 0.1; done
fi
exec "$@" 2> >(exec awk '
  /^\t/ { emit(fault); next }   # a multi-line message goes on where its first line went
  {
    if (match($0, /\] [a-z ]*(DEBUG[1-5]|INFO|NOTICE|WARNING|ERROR|LOG|FATAL|PANIC|DETAIL|HINT|QUERY|CONTEXT|LOCATION|STATEMENT):  /)) {
      text = substr($0, RSTART + 2, RLENGTH - 5)
      level = text; sub(/.* /, "", level)
      if (level !~ /^(DETAIL|HINT|QUERY|CONTEXT|LOCATION|STATEMENT)$/) {
        fault = level ~ /^(WARNING|ERROR|FATAL|PANIC)$/ && text !~ /^client backend /
      }
    } else {
      fault = 1
    }
    emit(fault)
  }
  function emit(toStderr) {
    if (toStderr) { print > "/dev/stderr"; fflush("/dev/stderr") } else { print; fflush() }
  }
')
