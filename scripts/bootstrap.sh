#!/usr/bin/env bash
# Prepare a development environment: system packages (only those missing), a virtualenv in .venv, and the
# Python requirements. Safe to run again; it does only what is still missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv

apt_install() {
    # Install Debian packages that are missing; needs root (or sudo) and apt-get.
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "==> apt-get install ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# mysqlclient compiles against the MariaDB/MySQL client headers; git is needed to fetch meta repositories.
if ! pkg-config --exists mysqlclient 2>/dev/null && ! pkg-config --exists libmariadb 2>/dev/null; then
    apt_install pkg-config default-libmysqlclient-dev build-essential
fi
command -v git >/dev/null || apt_install git
# The PostgreSQL pass of the tests dumps its database with pg_dump (the secret-ballot dump test).
if command -v pg_lsclusters >/dev/null && ! command -v pg_dump >/dev/null; then apt_install postgresql-client; fi
# GNU gettext: scripts/messages.sh extracts and compiles the translations; tests/i18n checks them with it.
command -v msgfmt >/dev/null && command -v xgettext >/dev/null || apt_install gettext
# age: the threshold-custody tests decrypt officers' key shares with the tool officers use (age -d -i KEY).
command -v age >/dev/null || apt_install age
"$PYTHON" -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv

if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating virtualenv $VENV"
    "$PYTHON" -m venv "$VENV"
fi

# Reinstall only when a requirements file changed since the last successful install.
stamp="$VENV/.requirements.sha256"
want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "==> installing Python requirements"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -r requirements-dev.txt
    echo "$want" >"$stamp"
fi
