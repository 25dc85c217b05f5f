#!/bin/sh
# Container entry point: migrate the database, import the meta repository, then run gunicorn.
#
# Each step can be skipped, so one image serves every role:
#   ELEKTO_SKIP_MIGRATE=1  do not run migrations (web pods, when a migration Job runs them first)
#   ELEKTO_SKIP_SYNC=1     do not import the meta repository at start
#   ELEKTO_SKIP_SERVER=1   stop after the steps above (the migration Job, the sync CronJob)
# The import runs when META_REPO (cloned into META_PATH) or META_PATH is set.
set -eu

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}

log() {
    echo "entrypoint: $*" >&2
}

if [ "${ELEKTO_SKIP_MIGRATE:-0}" != 1 ]; then
    log "applying migrations"
    "$PYTHON" manage.py migrate --noinput
    # Creates the cache table when CACHE_URL selects the database cache; does nothing otherwise.
    "$PYTHON" manage.py createcachetable
fi

sync_status=0
if [ "${ELEKTO_SKIP_SYNC:-0}" != 1 ]; then
    if [ -n "${META_REPO:-}" ]; then
        log "importing the meta repository $META_REPO (branch ${META_BRANCH:-main})"
        "$PYTHON" manage.py sync_meta --repo "$META_REPO" --branch "${META_BRANCH:-main}" || sync_status=$?
    elif [ -n "${META_PATH:-}" ]; then
        log "importing the meta repository at $META_PATH"
        "$PYTHON" manage.py sync_meta --path "$META_PATH" || sync_status=$?
    else
        log "META_REPO and META_PATH are unset: not importing"
    fi
    # 1: some elections failed, the others were imported. 2: unusable arguments or unreachable repository.
    # The site still serves what the last good import left in the database, so neither stops it from starting.
    case $sync_status in
        0) ;;
        1) log "some elections could not be imported (see above); the others were" ;;
        2) log "the meta repository could not be read (see above); serving the elections imported before" ;;
        *) log "sync_meta failed with status $sync_status"; exit "$sync_status" ;;
    esac
fi

if [ "${ELEKTO_SKIP_SERVER:-0}" = 1 ]; then
    # A Job: its status is the import's, so a failed import shows as a failed Job.
    exit "$sync_status"
fi

log "starting gunicorn"
exec gunicorn -c gunicorn.conf.py elekto_site.wsgi
