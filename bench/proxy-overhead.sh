#!/usr/bin/env bash
# Measures what DCP's endpoint proxy costs on the servers' hot paths: starts Cognive with the servers' endpoints
# proxied (Cognive:ProxyServerEndpoints=true), then runs redis-benchmark and pgbench against the proxied port and the
# server's own port in the same run, and prints both. Uses its own state folder; stops everything it started.
# Usage: bench/proxy-overhead.sh [seconds per pgbench run, default 15]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
state="$(mktemp -d /tmp/cognive-proxy-bench.XXXXXX)"
chmod 755 "$state"

scripts/install-servers.sh
scripts/restore-tools.sh
dotnet build Cognive.AppHost -c Release -v q -nologo >/dev/null

dotnet run --project Cognive.AppHost -c Release --no-build -- \
  --Cognive:Servers=processes --Cognive:ProxyServerEndpoints=true --Cognive:StateDir="$state" >"$state/apphost.log" 2>&1 &
apphost=$!
cleanup() {
  dotnet aspire stop --apphost Cognive.AppHost/Cognive.AppHost.csproj >/dev/null 2>&1 || kill "$apphost" 2>/dev/null || true
  wait "$apphost" 2>/dev/null || true
  rm -rf "$state"
}
trap cleanup EXIT

# Poll (with a deadline) until the servers report healthy, then read their ports.
ports=""
for _ in $(seq 1 120); do
  ports="$(dotnet aspire describe --apphost Cognive.AppHost/Cognive.AppHost.csproj --format Json 2>/dev/null | python3 bench/server_ports.py 2>/dev/null || true)"
  [ -n "$ports" ] && break
  sleep 2
done
[ -n "$ports" ] || { echo "Cognive did not become healthy; see $state/apphost.log" >&2; exit 1; }
read -r redis_proxy redis_direct pg_proxy pg_direct <<<"$ports"
redis_password="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["redis-password"])' "$state/secrets.json")"
export PGPASSWORD="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["postgres-password"])' "$state/secrets.json")"

echo "== Redis: redis-benchmark, 50 clients, 200000 requests per test (requests/s; p50 ms)"
for mode in proxied direct; do
  port=$([ "$mode" = proxied ] && echo "$redis_proxy" || echo "$redis_direct")
  # redis-benchmark 7.0 ignores REDISCLI_AUTH; the password is a throwaway one of this run's own state folder.
  redis-benchmark -h 127.0.0.1 -p "$port" -a "$redis_password" -t set,get -n 200000 -c 50 -q 2>/dev/null \
    | tr '\r' '\n' | grep -E '^(SET|GET): [0-9]' | sed "s/^/$mode  /"
  redis-benchmark -h 127.0.0.1 -p "$port" -a "$redis_password" -t set -n 400000 -c 50 -P 16 -q 2>/dev/null \
    | tr '\r' '\n' | grep -E '^SET: [0-9]' | sed "s/^/$mode  pipelined(16) /"
done

echo "== PostgreSQL: pgbench -S (select only), 8 clients, 2 threads, ${seconds}s"
psql -h 127.0.0.1 -p "$pg_direct" -U postgres -d postgres -qc "CREATE DATABASE pgbench" >/dev/null 2>&1 || true
pgbench -h 127.0.0.1 -p "$pg_direct" -U postgres -i -q -s 10 pgbench >/dev/null 2>&1
for mode in proxied direct; do
  port=$([ "$mode" = proxied ] && echo "$pg_proxy" || echo "$pg_direct")
  pgbench -h 127.0.0.1 -p "$port" -U postgres -S -c 8 -j 2 -T "$seconds" pgbench 2>/dev/null \
    | grep -E '^(latency average|tps)' | sed "s/^/$mode  /"
done
