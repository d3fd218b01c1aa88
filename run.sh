#!/usr/bin/env bash
# Runs Cognive locally: installs the servers it needs, then starts the AppHost (servers, services, Aspire dashboard).
# Extra arguments go to the AppHost, e.g. ./run.sh --Cognive:Servers=processes
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-servers.sh
dotnet tool restore >/dev/null
exec dotnet run --project Cognive.AppHost -- "$@"
