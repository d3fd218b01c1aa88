#!/usr/bin/env bash
# The .NET SDK benchmark: what UseCognive adds to a model call (reporting alone, and with the budget check), sequential and
# at 64 concurrent callers, and one process reporting 20,000 calls/s. Options go to Cognive.Bench: --duration <s> (20).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-servers.sh
scripts/restore-tools.sh
dotnet build Cognive.Bench -c Release -v q -nologo >/dev/null
exec dotnet run --project Cognive.Bench -c Release --no-build -- sdk "$@"
