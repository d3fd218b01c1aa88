#!/usr/bin/env bash
# Installs the Debian packages of the servers Cognive runs as processes (PostgreSQL and pgBackRest, Redis, RabbitMQ), and the Chromium
# the console's browser tests drive, if missing.
# Cognive starts its own instances on private ports with data in its state folder; the packages' system services are
# not needed (in containers Debian's policy blocks them anyway).
set -euo pipefail

missing=()
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
# Continuous WAL archiving and backups of the PostgreSQL (scripts/backup.sh).
command -v pgbackrest >/dev/null 2>&1 || missing+=(pgbackrest)
# The console's end-to-end tests drive Debian's Chromium through Playwright (which cannot download its own browsers here).
[ -x /usr/bin/chromium ] || missing+=(chromium)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=()
if [ "$(id -u)" != 0 ]; then sudo=(sudo); fi
echo "Installing ${missing[*]} ..."
"${sudo[@]}" apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
