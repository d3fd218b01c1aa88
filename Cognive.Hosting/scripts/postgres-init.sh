#!/usr/bin/env bash
# First-run initialisation of the process-form PostgreSQL: initdb into a scratch folder, then rename it into place,
# so an interrupted first run never leaves a half-made data folder behind.
# Usage: postgres-init.sh <initdb> <data folder> <password file>; the password file is deleted once read.
# With COGNIVE_PGBACKREST_CONFIG set (backups on) and a backup in that repository, a missing data folder is restored from
# the latest backup instead (a machine lost: the repository and secrets.json copied into a new state folder); the
# server then replays the archived WAL to its end when it starts.
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

if [ -n "${COGNIVE_PGBACKREST_CONFIG:-}" ] && "${as_postgres[@]}" pgbackrest --config="$COGNIVE_PGBACKREST_CONFIG" --stanza=cognive info --output=json 2>/dev/null \
    | grep -q '"label"'; then
  scratch="$home/data.restore"
  rm -rf "$scratch"
  "${as_postgres[@]}" install -d -m 700 "$scratch"
  # pgBackRest would write its own options, the scratch path among them, into the restore_command the server runs.
  "${as_postgres[@]}" pgbackrest --config="$COGNIVE_PGBACKREST_CONFIG" --stanza=cognive --pg1-path="$scratch" \
    --recovery-option="restore_command=pgbackrest --config=$COGNIVE_PGBACKREST_CONFIG --stanza=cognive archive-get %f \"%p\"" restore
  mv "$scratch" "$data"
  echo "PostgreSQL data folder $data restored from the latest backup; the server replays the archived WAL when it starts."
  exit 0
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
