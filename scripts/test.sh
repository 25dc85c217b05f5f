#!/usr/bin/env bash
# Run every check and the whole test suite: first on SQLite, then on MariaDB/MySQL, then on PostgreSQL.
# Usage: bash scripts/test.sh [extra pytest arguments]
#
# The MariaDB pass uses MARIADB_URL (default mysql://root@127.0.0.1:3306/elekto), the PostgreSQL pass
# POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/elekto); the tests create and drop test_elekto.
# Outside CI a pass runs only when its server answers; with CI=true the script starts a local server that is
# down, and a server that still does not answer is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh
bash scripts/ensure_chromium.sh || echo "==> Chromium is not available: browser tests will say why they skip."

PY=.venv/bin/python
MARIADB_URL="${MARIADB_URL:-mysql://root@127.0.0.1:3306/elekto}"
POSTGRES_URL="${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/elekto}"
# The checks and migrations run with a development configuration of their own.
# An in-memory SQLite database: makemigrations reads the migration history, and a file would be left behind.
CHECK_ENV=(env DATABASE_URL=sqlite://:memory: DEBUG=on SECRET_KEY=test-only-not-secret-0123456789abcdefghijklmnop)

echo "==> ruff check"
.venv/bin/ruff check .
echo "==> lint-imports (the rooms' import rules, docs/architecture.md)"
.venv/bin/lint-imports --no-cache
echo "==> manage.py check"
"${CHECK_ENV[@]}" $PY manage.py check --fail-level ERROR
echo "==> manage.py makemigrations --check --dry-run"
"${CHECK_ENV[@]}" $PY manage.py makemigrations --check --dry-run

status=0
timings=()
run_pass() {
    # run_pass NAME DATABASE_URL [pytest arguments]: one whole pass of the suite, timed.
    local name=$1 url=$2 started=$SECONDS
    shift 2
    if [ -n "$url" ]; then
        DATABASE_URL="$url" .venv/bin/pytest "$@" || status=$?
    else
        env -u DATABASE_URL .venv/bin/pytest "$@" || status=$?
    fi
    timings+=("$name: $((SECONDS - started)) s")
}

echo "==> tests on SQLite"
run_pass SQLite "" "$@"

mariadb_answers() {
    $PY - "$MARIADB_URL" <<'PY'
import sys, urllib.parse, MySQLdb
u = urllib.parse.urlparse(sys.argv[1])
try:
    MySQLdb.connect(host=u.hostname or "127.0.0.1", port=u.port or 3306, user=u.username or "root",
                    passwd=urllib.parse.unquote(u.password or ""), connect_timeout=3).close()
except Exception:
    sys.exit(1)
PY
}

if ! mariadb_answers && [ "${CI:-}" = "true" ] && [ -x /usr/sbin/mariadbd ]; then
    echo "==> starting MariaDB"
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
    for _ in $(seq 1 30); do mariadb_answers && break; sleep 1; done
fi
if mariadb_answers; then
    echo "==> tests on MariaDB ($MARIADB_URL)"
    run_pass MariaDB "$MARIADB_URL" "$@"
elif [ "${CI:-}" = "true" ]; then
    echo "==> FAILED: no MariaDB answers at $MARIADB_URL, and CI needs the MariaDB pass." >&2
    status=1
else
    echo "==> MariaDB pass skipped: no server answers at $MARIADB_URL (set MARIADB_URL to use another)."
fi

postgres_answers() {
    # The server, not the site's database: the tests create their own (test_<name>) from the postgres one.
    $PY - "$POSTGRES_URL" <<'PY'
import sys, urllib.parse, psycopg
u = urllib.parse.urlparse(sys.argv[1])
try:
    psycopg.connect(host=u.hostname or "127.0.0.1", port=u.port or 5432, user=u.username or "postgres",
                    password=urllib.parse.unquote(u.password or ""), dbname="postgres", connect_timeout=3).close()
except Exception:
    sys.exit(1)
PY
}

if ! postgres_answers && [ "${CI:-}" = "true" ] && command -v pg_lsclusters >/dev/null; then
    # Debian's postgresql-common: start every cluster that is down (pg_lsclusters: version, name, port, status).
    pg_lsclusters --no-header | while read -r version cluster _port state _rest; do
        if [ "$state" != "online" ]; then
            echo "==> starting PostgreSQL $version/$cluster"
            pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start || true
        fi
    done
    for _ in $(seq 1 30); do postgres_answers && break; sleep 1; done
fi
if postgres_answers; then
    echo "==> tests on PostgreSQL ($POSTGRES_URL)"
    run_pass PostgreSQL "$POSTGRES_URL" "$@"
elif [ "${CI:-}" = "true" ]; then
    echo "==> FAILED: no PostgreSQL answers at $POSTGRES_URL, and CI needs the PostgreSQL pass." >&2
    status=1
else
    echo "==> PostgreSQL pass skipped: no server answers at $POSTGRES_URL (set POSTGRES_URL to use another)."
fi

(IFS=","; echo "==> time of each pass: ${timings[*]:-none}")
exit $status
