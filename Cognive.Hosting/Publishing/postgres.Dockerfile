# The published PostgreSQL: Aspire's image with pgBackRest, which archives WAL (archive_command) and takes the backups the
# postgres-backup CronJobs ask for. The official image already trusts the PostgreSQL apt repository (PGDG).
#   docker build -t cognive-postgres:18.3-pgbackrest -f Cognive.Hosting/Publishing/postgres.Dockerfile .
ARG POSTGRES_TAG=18.3
FROM docker.io/library/postgres:${POSTGRES_TAG}
RUN apt-get update \
 && apt-get install -y --no-install-recommends pgbackrest \
 && rm -rf /var/lib/apt/lists/* \
 && install -d -o postgres -g postgres -m 750 /var/lib/pgbackrest /var/log/pgbackrest /var/spool/pgbackrest
