#!/usr/bin/env bash
# The swarm benchmark: no-op tasks through the queen with 1, 4 and 8 instances, dispatch latency, shared-memory operations.
# Options go to Cognive.Bench: --duration <s> (20).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-servers.sh
scripts/restore-tools.sh
dotnet build Cognive.Bench -c Release -v q -nologo >/dev/null
exec dotnet run --project Cognive.Bench -c Release --no-build -- swarm "$@"
