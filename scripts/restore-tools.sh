#!/usr/bin/env bash
# Restores the repo's local .NET tools (the Aspire CLI, dotnet-ef). On a fresh machine the first restore was seen to
# fail once ("the command dotnet-ef ... is not contained in the package") and succeed when run again, so it gets one
# more try before the caller stops.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null 2>&1 || dotnet tool restore >/dev/null
