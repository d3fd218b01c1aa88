#!/usr/bin/env bash
# The governance benchmark: budget checks at 64 concurrent clients, and what budgets and policies add to a reported call.
# Options go to Cognive.Bench: --duration <s> (20).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-servers.sh
scripts/restore-tools.sh
dotnet build Cognive.Bench -c Release -v q -nologo >/dev/null
exec dotnet run --project Cognive.Bench -c Release --no-build -- governance "$@"
