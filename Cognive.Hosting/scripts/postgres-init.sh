#!/usr/bin/env bash
# First-run initialisation of the process-form PostgreSQL: initdb into a scratch folder, then rename it into place,
# so an interrupted first run never leaves a half-made data folder behind.
# Usage: postgres-init.sh <initdb> <data folder> <password file>; the password file is deleted once read.
set -euo pipefail
initdb="$1"
data="$2"
password_file="$3"
trap 'rm -f "$password_file"' EXIT
home="$(dirname "$data")"
as_postgres=()
if [ "$(id -u)" = 0 ]; then as_postgres=(runuser -u postgres --); fi

if [ -f "$data/PG_VERSION" ]; then
  echo "PostgreSQL data folder $data is ready."
  exit 0
fi
if [ -e "$data" ]; then
  echo "The folder $data is not a PostgreSQL data folder (PG_VERSION is missing). Move it away or delete it to start afresh, or choose another state folder with --Cognive:StateDir=<path>." >&2
  exit 1
fi

mkdir -p "$home"
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$home"; fi
chmod 700 "$home"
if ! "${as_postgres[@]}" test -w "$home"; then
  echo "The postgres user cannot write to $home: a parent folder is closed to it. Choose a state folder under a path every user can traverse, e.g. --Cognive:StateDir=/var/tmp/cognive." >&2
  exit 1
fi

scratch="$home/data.initdb"
rm -rf "$scratch"
# The postgres user reads the password from its own copy.
pwfile="$home/initdb-password"
install -m 600 "$password_file" "$pwfile"
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$pwfile"; fi
trap 'rm -f "$password_file" "$pwfile"' EXIT

"${as_postgres[@]}" "$initdb" --pgdata="$scratch" --username=postgres --pwfile="$pwfile" \
  --auth-host=scram-sha-256 --auth-local=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
mv "$scratch" "$data"
echo "PostgreSQL data folder $data created."
