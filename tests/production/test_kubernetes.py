"""deploy/kubernetes/ and the Dockerfile: valid against the Kubernetes schema, and what an operator relies on."""

import re

import kubernetes_validate
import pytest
import yaml

from tests.conftest import REPO_ROOT

MANIFESTS = REPO_ROOT / "deploy" / "kubernetes"
IMAGE = "elekto"


def _documents():
    return [
        (path.name, document)
        for path in sorted(MANIFESTS.glob("*.yaml"))
        for document in yaml.safe_load_all(path.read_text())
        if document is not None
    ]


def _resources():
    return [(name, doc) for name, doc in _documents() if doc["kind"] != "Kustomization"]


def _by_kind(kind):
    return [doc for _, doc in _resources() if doc["kind"] == kind]


def _named(kind, name):
    (resource,) = [doc for doc in _by_kind(kind) if doc["metadata"]["name"] == name]
    return resource


def _pod_spec(resource):
    if resource["kind"] == "CronJob":
        return resource["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return resource["spec"]["template"]["spec"]


def _workloads():
    return [doc for _, doc in _resources() if doc["kind"] in {"Deployment", "Job", "CronJob"}]


def _config():
    (configmap,) = _by_kind("ConfigMap")
    (secret,) = _by_kind("Secret")
    return configmap, secret


def _env_example_variables():
    return {
        line.split("=", 1)[0]
        for line in (REPO_ROOT / ".env.example").read_text().splitlines()
        if re.match(r"^[A-Z][A-Z0-9_]*=", line)
    }


@pytest.mark.parametrize("name, resource", _resources(), ids=lambda value: value if isinstance(value, str) else "")
def test_each_manifest_is_valid_against_the_kubernetes_schema(name, resource):
    kubernetes_validate.validate(resource, kubernetes_validate.latest_version(), strict=True)
    assert resource["metadata"]["name"].startswith("elekto-")
    assert "namespace" not in resource["metadata"], "the namespace is the overlay's choice"


def test_the_kustomization_lists_every_manifest():
    (kustomization,) = [doc for _, doc in _documents() if doc["kind"] == "Kustomization"]

    assert sorted(kustomization["resources"]) == sorted(name for name, _ in _resources())
    assert [image["name"] for image in kustomization["images"]] == [IMAGE]


def test_the_web_deployment_runs_several_replicas_probed_on_health():
    deployment = _named("Deployment", "elekto-web")
    (container,) = _pod_spec(deployment)["containers"]
    (configmap, _) = _config()
    allowed_hosts = configmap["data"]["ALLOWED_HOSTS"].split(",")

    assert deployment["spec"]["replicas"] >= 2
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        http_get = container[probe]["httpGet"]
        assert http_get["path"] == "/health"
        assert http_get["port"] == "http"
        # The site refuses requests for hosts outside ALLOWED_HOSTS, probes included.
        assert {h["name"]: h["value"] for h in http_get["httpHeaders"]}["Host"] in allowed_hosts
    assert container["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
    assert {e["name"]: e["value"] for e in container["env"]} == {"ELEKTO_SKIP_MIGRATE": "1", "ELEKTO_SKIP_SYNC": "1"}


def test_every_workload_runs_the_one_image_unprivileged_with_a_read_only_root_and_limits():
    for workload in _workloads():
        pod = _pod_spec(workload)
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == 10001
        assert pod["automountServiceAccountToken"] is False
        assert {"name": "tmp", "emptyDir": pod["volumes"][0]["emptyDir"]} == pod["volumes"][0]
        for container in pod["containers"]:
            assert container["image"] == IMAGE
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
            assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
            assert set(container["resources"]["requests"]) == {"cpu", "memory"}
            assert set(container["resources"]["limits"]) == {"cpu", "memory"}
            assert [list(source) for source in container["envFrom"]] == [["configMapRef"], ["secretRef"]]


def test_the_memory_limit_covers_the_configured_workers_and_threads():
    deployment = _named("Deployment", "elekto-web")
    (container,) = _pod_spec(deployment)["containers"]
    (configmap, _) = _config()
    workers = int(configmap["data"]["GUNICORN_WORKERS"])
    threads = int(configmap["data"]["GUNICORN_THREADS"])
    argon2_mib = int(configmap["data"]["ARGON2_MEMORY_KIB"]) // 1024
    limit_mib = int(container["resources"]["limits"]["memory"].removesuffix("Mi"))

    # Measured: master 82 MiB (it loads the site to check the configuration), a worker 82 MiB; each thread may
    # hold one Argon2id derivation.
    assert limit_mib >= 82 + workers * (82 + threads * argon2_mib)


def test_every_variable_of_env_example_is_provided_by_the_configmap_or_the_secret():
    configmap, secret = _config()
    provided = set(configmap["data"]) | set(secret["stringData"])

    assert _env_example_variables() - provided == set()
    assert set(configmap["data"]) & set(secret["stringData"]) == set()


def test_secrets_hold_only_placeholders_and_the_configmap_no_secret():
    configmap, secret = _config()

    for name, value in secret["stringData"].items():
        assert value == "" or "REPLACE-ME" in value, name
    assert {"SECRET_KEY", "DATABASE_URL", "GITHUB_CLIENT_SECRET", "META_SECRET"} <= set(secret["stringData"])
    assert configmap["data"]["DEBUG"] == "off"
    assert configmap["data"]["ELEKTO_DEV_LOGIN"] == "off"


def test_the_service_and_ingress_route_the_site_host_to_the_web_pods():
    deployment = _named("Deployment", "elekto-web")
    (service,) = _by_kind("Service")
    ingress = _named("Ingress", "elekto-web")
    (configmap, _) = _config()

    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] in configmap["data"]["ALLOWED_HOSTS"].split(",")
    assert f"https://{rule['host']}" in configmap["data"]["CSRF_TRUSTED_ORIGINS"].split(",")
    assert ingress["spec"]["tls"][0]["hosts"] == [rule["host"]]
    assert rule["http"]["paths"][0]["backend"]["service"]["name"] == service["metadata"]["name"]


def test_one_sync_worker_drains_the_webhook_queue_and_only_the_webhook_path_takes_large_bodies():
    worker = _named("Deployment", "elekto-sync-worker")
    (container,) = _pod_spec(worker)["containers"]
    assert worker["spec"]["replicas"] == 1 and worker["spec"]["strategy"]["type"] == "Recreate"
    assert container["command"] == ["python", "manage.py", "sync_worker"]
    assert "ports" not in container

    webhook = _named("Ingress", "elekto-webhook")
    web = _named("Ingress", "elekto-web")
    (rule,) = webhook["spec"]["rules"]
    assert rule["host"] == web["spec"]["rules"][0]["host"]
    assert [(p["path"], p["pathType"]) for p in rule["http"]["paths"]] == [("/v1/webhooks/meta/sync", "Exact")]
    assert webhook["metadata"]["annotations"] == {"nginx.ingress.kubernetes.io/proxy-body-size": "26m"}
    assert "annotations" not in web["metadata"]


def test_the_migration_job_and_the_cron_jobs_run_the_right_commands():
    (job,) = _by_kind("Job")
    cronjobs = {doc["metadata"]["name"]: doc for doc in _by_kind("CronJob")}
    (migrate,) = _pod_spec(job)["containers"]
    (sync,) = _pod_spec(cronjobs["elekto-sync-meta"])["containers"]
    (destroy,) = _pod_spec(cronjobs["elekto-destroy-ballot-links"])["containers"]
    (clean_up,) = _pod_spec(cronjobs["elekto-clean-up"])["containers"]

    assert "command" not in migrate and migrate["env"] == [{"name": "ELEKTO_SKIP_SERVER", "value": "1"}]
    assert "command" not in sync
    assert {e["name"]: e["value"] for e in sync["env"]} == {"ELEKTO_SKIP_MIGRATE": "1", "ELEKTO_SKIP_SERVER": "1"}
    assert destroy["command"] == ["python", "manage.py", "destroy_ballot_links"]
    assert clean_up["command"] == ["python", "manage.py", "clean_up"]
    # Expired sessions and old webhook deliveries are deleted at least daily (five-field schedule, every field but
    # the minute and hour "*").
    assert cronjobs["elekto-clean-up"]["spec"]["schedule"].split()[2:] == ["*", "*", "*"]
    assert cronjobs["elekto-sync-meta"]["spec"]["schedule"] == "*/15 * * * *"
    for cronjob in cronjobs.values():
        assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"


def test_the_dockerfile_builds_in_two_stages_and_runs_unprivileged_without_secrets():
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    instructions = [line.split(None, 1) for line in dockerfile.splitlines() if line and not line.startswith(("#", " "))]

    froms = [rest for keyword, rest in instructions if keyword == "FROM"]
    assert froms == ["python:3.11-slim AS build", "python:3.11-slim"]
    assert "default-libmysqlclient-dev" in dockerfile and "libmariadb3" in dockerfile
    assert [rest for keyword, rest in instructions if keyword == "USER"] == ["10001:10001"]
    assert [rest for keyword, rest in instructions if keyword == "ENTRYPOINT"] == ['["/app/deploy/entrypoint.sh"]']
    # The build-time key lives in one RUN's environment, never in an ENV or ARG that the image keeps.
    kept = " ".join(rest for keyword, rest in instructions if keyword in {"ENV", "ARG"})
    assert "SECRET_KEY" not in kept and "PASSWORD" not in kept.upper()
    assert re.search(r"RUN SECRET_KEY=\S+ .*\\\n.*\\\n\s+python manage.py collectstatic --noinput", dockerfile)
    ignored = (REPO_ROOT / ".dockerignore").read_text().splitlines()
    assert {".env", ".git", ".venv", "var"} <= set(ignored)
