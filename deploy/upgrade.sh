#!/bin/sh
# Upgrade the site on Kubernetes: the migration Job first, then the rollout (docs/production.md, Upgrades).
#
#   deploy/upgrade.sh OVERLAY                  from a release with the schema guard (1.1.0 and later)
#   deploy/upgrade.sh OVERLAY --stop-old-pods  when the release notes say "Old pods stop first: yes"
#                                              (from 1.0.0, which has no guard)
#
# OVERLAY is the kustomize folder that sets your namespace, image and host (kubectl's current context and
# namespace apply, or set KUBECTL="kubectl -n elections"). With --stop-old-pods, nothing of the previous release
# runs while the database is migrated: the web and sync-worker Deployments are scaled to zero and the CronJobs
# suspended first; the rollout brings them back with the new image. Without it, pods of the previous release keep
# serving during the migration and refuse every write once it is done (their /health answers 503), until the
# rollout replaces them.
set -eu

KUBECTL=${KUBECTL:-kubectl}
CRONJOBS="elekto-sync-meta elekto-destroy-ballot-links elekto-clear-sessions"

if [ $# -lt 1 ] || [ $# -gt 2 ] || { [ $# = 2 ] && [ "$2" != --stop-old-pods ]; }; then
    echo "usage: $0 OVERLAY [--stop-old-pods]" >&2
    exit 2
fi
overlay=$1
stop_old_pods=${2:-}

log() {
    echo "upgrade: $*" >&2
}

if [ -n "$stop_old_pods" ]; then
    log "stopping the previous release: CronJobs suspended, web and sync worker scaled to zero"
    for cronjob in $CRONJOBS; do
        $KUBECTL patch cronjob "$cronjob" --type=merge -p '{"spec":{"suspend":true}}'
    done
    $KUBECTL scale deployment elekto-web elekto-sync-worker --replicas=0
    $KUBECTL wait --for=delete pod -l 'app.kubernetes.io/name=elekto,app.kubernetes.io/component in (web,sync-worker,sync-meta,destroy-ballot-links,clear-sessions)' --timeout=10m
fi

log "migrating with the new image"
# A Job's pod template cannot change: the finished Job of the previous upgrade goes first.
$KUBECTL delete job elekto-migrate --ignore-not-found
$KUBECTL apply -k "$overlay" -l app.kubernetes.io/component=migrate
$KUBECTL wait --for=condition=complete job/elekto-migrate --timeout=15m

log "rolling out the new image"
$KUBECTL apply -k "$overlay"
if [ -n "$stop_old_pods" ]; then
    for cronjob in $CRONJOBS; do
        $KUBECTL patch cronjob "$cronjob" --type=merge -p '{"spec":{"suspend":false}}'
    done
fi
$KUBECTL rollout status deployment/elekto-web --timeout=15m
$KUBECTL rollout status deployment/elekto-sync-worker --timeout=15m
log "done: python manage.py version in a web pod prints the new release"
