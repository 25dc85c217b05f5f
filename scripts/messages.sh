#!/usr/bin/env bash
# Update the translation catalogues from the source, then compile them.
# Usage: bash scripts/messages.sh           (needs GNU gettext: scripts/bootstrap.sh installs it)
#
# Extracts every string marked for translation (templates and Python: domain "django"; static/js: domain
# "djangojs") into locale/<language>/LC_MESSAGES/*.po, keeping existing translations, then compiles the .mo
# files that the site reads. Both are committed; tests/i18n fails on any string left untranslated or fuzzy,
# and on a .mo file that does not match its .po.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
LANGS=(es zh_Hans ja pt_BR de)
# Only the site's own sources: not the tests, the collected static files or anything under var/.
IGNORE=(--ignore=.venv --ignore=var --ignore=staticfiles --ignore=tests --ignore=bench --ignore=docs
        --ignore=examples --ignore=deploy --ignore=test-artifacts --ignore=scripts)
OPTIONS=(--no-obsolete --add-location=file "${IGNORE[@]}")

args=()
for lang in "${LANGS[@]}"; do args+=(-l "$lang"); done
export DJANGO_SETTINGS_MODULE=elekto_site.settings
"$PY" manage.py makemessages "${args[@]}" "${OPTIONS[@]}" -d django
"$PY" manage.py makemessages "${args[@]}" "${OPTIONS[@]}" -d djangojs
"$PY" manage.py compilemessages "${args[@]}" "${IGNORE[@]}"
