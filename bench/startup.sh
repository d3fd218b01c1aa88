#!/usr/bin/env bash
# Cold and warm start to all-healthy, three runs each, and peak memory: see bench/startup.py.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-servers.sh
scripts/restore-tools.sh
dotnet build Cognive.AppHost -c Release -v q -nologo >/dev/null
exec python3 bench/startup.py "$@"
