#!/usr/bin/env bash
# Runs Cognive locally: installs the servers it needs, then starts the AppHost (servers, services, Aspire dashboard).
# Extra arguments go to the AppHost, e.g. ./run.sh --Cognive:Servers=processes
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-servers.sh
scripts/restore-tools.sh

# As root, PostgreSQL and RabbitMQ run as their own users, who must reach the state folder. A checkout under a closed
# folder (/root is 700) gets its state in /var/lib/cognive instead; --Cognive:StateDir=… still overrides.
state_args=()
if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$PWD" 2>/dev/null; then
  state="/var/lib/cognive/$(printf '%s' "$PWD" | sha256sum | cut -c1-12)"
  echo "The postgres user cannot reach $PWD: Cognive keeps its state in $state instead of .cognive/."
  state_args=(--Cognive:StateDir="$state")
fi
exec dotnet run --project Cognive.AppHost -- "${state_args[@]}" "$@"
