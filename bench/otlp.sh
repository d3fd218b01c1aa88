#!/usr/bin/env bash
# The OTLP benchmark: boots Cognive and posts protobuf trace exports of GenAI spans to the gateway's /v1/traces,
# printing spans accepted and durably stored per second beside the decode-alone and COPY ceilings.
# Options go to Cognive.Bench: --duration <s> (20) --exporters <n> (8).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-servers.sh
scripts/restore-tools.sh
dotnet build Cognive.Bench -c Release -v q -nologo >/dev/null
exec dotnet run --project Cognive.Bench -c Release --no-build -- otlp "$@"
