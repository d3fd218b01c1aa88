#!/usr/bin/env bash
# The Python SDK benchmark: boots Cognive (servers as processes, scratch state) through Cognive.Bench and runs
# sdk/python/bench/bench.py against it. Options go to bench.py: --calls <n> --duration <s> --rate <calls/s>.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-servers.sh
dotnet build Cognive.Bench -c Release -v q -nologo >/dev/null
PYTHONPATH="$PWD/sdk/python/src" exec dotnet run --project Cognive.Bench -c Release --no-build -- \
  exec python3 "$PWD/sdk/python/bench/bench.py" "$@"
