#!/usr/bin/env bash
# The console benchmark: boots Cognive, seeds one team with many calls (--trend-calls <n>, 10,000,000 by default), and in
# Debian's Chromium times the overview (navigation to chart drawn, 20 loads), every page's server render time, and the
# console's memory with 50 circuits open.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-servers.sh
dotnet build Cognive.Bench -c Release -v q -nologo >/dev/null
exec dotnet run --project Cognive.Bench -c Release --no-build -- console "$@"
