#!/usr/bin/env bash
# The ingestion benchmark: boots Cognive (servers as processes, scratch state) and drives it through the public API.
# Options go to Cognive.Bench: --duration <s> --agents <n> --batch <n> --trend-calls <n>.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-servers.sh
scripts/restore-tools.sh
dotnet build Cognive.Bench -c Release -v q -nologo >/dev/null
exec dotnet run --project Cognive.Bench -c Release --no-build -- "$@"
