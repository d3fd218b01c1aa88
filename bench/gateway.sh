#!/usr/bin/env bash
# The gateway benchmark: the same OpenAI chat-completion requests sent straight to a fake upstream, through a bare relay
# in its own process (the ceiling: what one more process costs) and through the gateway, at 1 and 64 concurrent clients
# and paced at 200/s, plus the time to the first streamed chunk each way; each way is warmed up first (~5 minutes in all).
# Options go to Cognive.Bench: --duration <s> per measurement (20).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-servers.sh
scripts/restore-tools.sh
dotnet build Cognive.Bench -c Release -v q -nologo >/dev/null
exec dotnet run --project Cognive.Bench -c Release --no-build -- gateway "$@"
