#!/usr/bin/env bash
# Run the site locally with the bundled example elections and the development login.
# Usage: bash scripts/demo.sh   (then open http://127.0.0.1:8000)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh

# The demo is a development setup: DEBUG with the development login, a SQLite database under var/.
export DEBUG="${DEBUG:-on}"
export ELEKTO_DEV_LOGIN="${ELEKTO_DEV_LOGIN:-on}"
export DATABASE_URL="${DATABASE_URL:-sqlite:///$PWD/var/demo.sqlite3}"
# With DEBUG on, published development values stand in for BALLOT_BOX_KEY and PASSPHRASE_PEPPER (a real site
# sets its own: see .env.example); set them here to try your own.
# The demo receives no webhook deliveries; a throw-away secret keeps the webhook's warning quiet.
export META_SECRET="${META_SECRET:-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
PORT="${PORT:-8000}"
PY=.venv/bin/python

# migrate runs the system checks (a misconfiguration stops here); the later commands skip them, so each
# warning prints once.
$PY manage.py migrate --no-input -v 0
$PY manage.py sync_meta --skip-checks --path examples/meta --election-dir elections
# The completed elections' published ballots, so their results can be shown (skipped once loaded): the board's
# two candidates, and the technical council's 100 ballots over 9 candidates, whose first choices go round in a
# circle and whose charter limit passes a candidate over.
$PY manage.py load_ballots --skip-checks board---2024 examples/meta/elections/board/2024/ballots.csv --if-empty
$PY manage.py load_ballots --skip-checks council---2025 examples/meta/elections/council/2025/ballots.csv --if-empty

cat <<MSG

  Elekto demo: open http://127.0.0.1:$PORT
  Sign in with the development login (any GitHub login, no password):
    alice, bob, carol, dave, erin  can vote in "Example Community Steering Committee Election"
    olivia                         can vote in it too, and is its election officer (Officer admin),
                                   and can already see the results of the completed elections, with
                                   their explanation, pictures and charter rules: "Example Community
                                   Technical Council Election 2025" (/app/elections/council---2025/admin/results)
                                   and "Example Community Board Election 2024" (/app/elections/board---2024/admin/results)
    anyone else                    is not on the roll and can request an exception
  Stop with Ctrl-C.

MSG
exec $PY manage.py runserver --skip-checks "127.0.0.1:$PORT"
