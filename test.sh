#!/usr/bin/env bash
# Runs the whole test suite the way CI does: installs the servers, builds, and runs every test against real
# PostgreSQL, Redis and RabbitMQ that the tests start (and stop) themselves.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-servers.sh
dotnet build Cognive.sln -c Release
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test --solution Cognive.sln -c Release --no-build "$@" 2>&1 | tee "$log" || status=$?
# A failed run ends with everything the test process printed; repeat each failure (name, message, our stack frames)
# after it, so that the tail of a CI log says what failed.
awk '/^failed /{show=1; print; next} /^[^ ]/{show=0} show && !/^    at (System|Microsoft|Xunit)\./' "$log"
# One plain closing line that any CI can read.
passed=$(grep -aoE 'succeeded: [0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -aoE 'failed: [0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "tests: ${passed} passed, ${failed} failed"
exit "$status"
