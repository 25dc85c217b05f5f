#!/usr/bin/env bash
# Run every check and the whole test suite: first on SQLite, then on MariaDB/MySQL.
# Usage: bash scripts/test.sh [extra pytest arguments]
#
# The MariaDB pass uses MARIADB_URL (default mysql://root@127.0.0.1:3306/elekto; the tests create and drop
# test_elekto). Outside CI it runs only when a server answers; with CI=true an unreachable server is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh
bash scripts/ensure_chromium.sh || echo "==> Chromium is not available: browser tests will say why they skip."

PY=.venv/bin/python
MARIADB_URL="${MARIADB_URL:-mysql://root@127.0.0.1:3306/elekto}"
# The checks and migrations run with a development configuration of their own.
# An in-memory SQLite database: makemigrations reads the migration history, and a file would be left behind.
CHECK_ENV=(env DATABASE_URL=sqlite://:memory: DEBUG=on SECRET_KEY=test-only-not-secret-0123456789abcdefghijklmnop)

echo "==> ruff check"
.venv/bin/ruff check .
echo "==> manage.py check"
"${CHECK_ENV[@]}" $PY manage.py check --fail-level ERROR
echo "==> manage.py makemigrations --check --dry-run"
"${CHECK_ENV[@]}" $PY manage.py makemigrations --check --dry-run

status=0
echo "==> tests on SQLite"
env -u DATABASE_URL .venv/bin/pytest "$@" || status=$?

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
    DATABASE_URL="$MARIADB_URL" .venv/bin/pytest "$@" || status=$?
elif [ "${CI:-}" = "true" ]; then
    echo "==> FAILED: no MariaDB answers at $MARIADB_URL, and CI needs the MariaDB pass." >&2
    status=1
else
    echo "==> MariaDB pass skipped: no server answers at $MARIADB_URL (set MARIADB_URL to use another)."
fi

exit $status
