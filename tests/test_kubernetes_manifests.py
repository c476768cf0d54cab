"""deploy/kubernetes/ is valid Kubernetes (its schemas, at a pinned version) and wires ADOLF as the README says.

kubernetes-validate has no schema for KEDA's kinds (it only warns on them), so the
ScaledObject and its TriggerAuthentication are checked against the fields KEDA documents
for the Redis lists scaler: the target, triggers of type redis with an address and a list
name, minimum and maximum replicas.
"""

from __future__ import annotations

import re
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from django.conf import settings
from django.http.request import split_domain_port, validate_host

from adolf.celery import QUEUES

ROOT = Path(settings.BASE_DIR)
DIRECTORY = ROOT / "deploy" / "kubernetes"
KUBERNETES = "1.33.0"
KEDA_KINDS = {"ScaledObject", "TriggerAuthentication"}
DOCUMENTS = [
    (path.name, document)
    for path in sorted(DIRECTORY.glob("*.yaml"))
    if path.name != "kustomization.yaml"
    for document in yaml.safe_load_all(path.read_text())
    if document
]


def find(kind: str, name: str) -> dict:
    [found] = [doc for _, doc in DOCUMENTS if doc["kind"] == kind and doc["metadata"]["name"] == name]
    return found


def container(kind: str, name: str) -> dict:
    spec = find(kind, name)["spec"]["template"]["spec"]
    [only] = spec["containers"]
    return only


@pytest.mark.parametrize(
    ("file", "document"),
    [(file, doc) for file, doc in DOCUMENTS if doc["kind"] not in KEDA_KINDS],
    ids=lambda value: value if isinstance(value, str) else f"{value['kind']}/{value['metadata']['name']}",
)
def test_every_core_manifest_validates_against_the_kubernetes_schema(file, document):
    kubernetes_validate.validate(document, KUBERNETES, strict=True)


def test_kustomization_lists_every_manifest_but_the_secret_example():
    listed = yaml.safe_load((DIRECTORY / "kustomization.yaml").read_text())["resources"]
    files = {path.name for path in DIRECTORY.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert sorted(listed) == sorted(files)


def pod_environment(kind: str, name: str, config: dict[str, str], pod_ip: str) -> dict[str, str]:
    """The environment the kubelet gives a container: envFrom first, then env in order.

    `$(NAME)` in an env value expands to what is defined so far (envFrom included), `$$` is
    a literal `$`, and an unknown name stays as written (Kubernetes' dependent variables).
    """
    spec = container(kind, name)
    secret = find("Secret", "adolf-secrets")["stringData"]
    sources = {"adolf-config": config, "adolf-secrets": secret}
    environment: dict[str, str] = {}
    for source in spec["envFrom"]:
        environment.update(sources[(source.get("configMapRef") or source["secretRef"])["name"]])
    fields = {"status.podIP": pod_ip}
    for item in spec.get("env", []):
        if "valueFrom" in item:
            environment[item["name"]] = fields[item["valueFrom"]["fieldRef"]["fieldPath"]]
            continue
        defined = dict(environment)
        environment[item["name"]] = re.sub(
            r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
            lambda match, defined=defined: "$" if match[0] == "$$" else defined.get(match[1], match[0]),
            item["value"],
        )
    return environment


def test_the_web_is_a_deployment_behind_a_service_probed_on_health_live():
    web = container("Deployment", "adolf-web")
    assert web["command"][:2] == ["gunicorn", "adolf.wsgi:application"]
    for probe in ("livenessProbe", "readinessProbe"):
        assert web[probe]["httpGet"] == {"path": "/health/live", "port": "http"}  # asked under the pod's IP
    service = find("Service", "adolf-web")
    pod_labels = find("Deployment", "adolf-web")["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == web["ports"][0]["name"]


@pytest.mark.parametrize("hosts", ["adolf.example.com", "shop-ops.example.org,.internal.example.org"])
def test_the_web_allows_the_configmaps_host_names_and_its_own_pod_ip(hosts):
    # The operator edits the ConfigMap's ALLOWED_HOSTS; the web pod adds its IP (probes, scrapes).
    config = dict(find("ConfigMap", "adolf-config")["data"], ALLOWED_HOSTS=hosts)
    environment = pod_environment("Deployment", "adolf-web", config, pod_ip="10.244.3.17")
    allowed = environment["ALLOWED_HOSTS"].split(",")
    assert allowed == [*hosts.split(","), "10.244.3.17"]
    # What the kubelet's probe and Prometheus send as Host, and what visitors send.
    assert validate_host(split_domain_port("10.244.3.17:8000")[0], allowed)
    assert validate_host(hosts.split(",")[0], allowed)
    assert not validate_host("adolf.example.com", allowed) or "adolf.example.com" in hosts


def test_the_worker_consumes_every_queue_serves_its_metrics_and_is_probed_by_its_own_ping():
    worker = container("Deployment", "adolf-worker")
    command = worker["command"]
    assert command[:4] == ["celery", "-A", "adolf", "worker"]
    assert command[command.index("--queues") + 1].split(",") == list(QUEUES)
    assert "inspect ping --destination celery@$HOSTNAME" in " ".join(worker["livenessProbe"]["exec"]["command"])
    assert find("ConfigMap", "adolf-config")["data"]["METRICS_LISTEN"] == "0.0.0.0:9808"
    assert worker["ports"] == [{"name": "metrics", "containerPort": 9808}]


def test_exactly_one_beat_with_the_recreate_strategy():
    beat = find("Deployment", "adolf-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    probe = container("Deployment", "adolf-beat")["livenessProbe"]["httpGet"]
    assert (probe["path"], probe["port"]) == ("/health/live", "metrics")


def test_the_migrate_job_runs_the_migrations_once():
    job = find("Job", "adolf-migrate")
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert container("Job", "adolf-migrate")["command"] == ["python", "manage.py", "migrate", "--noinput"]


def test_every_pod_reads_the_configmap_and_the_secret():
    for kind, name in [("Deployment", "adolf-web"), ("Deployment", "adolf-worker"), ("Deployment", "adolf-beat"),
                       ("Job", "adolf-migrate")]:  # fmt: skip
        sources = container(kind, name)["envFrom"]
        assert sources == [{"configMapRef": {"name": "adolf-config"}}, {"secretRef": {"name": "adolf-secrets"}}]


def test_the_configmap_and_secret_set_only_variables_that_settings_read():
    source = (ROOT / "adolf" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|list|required|url)\(\s*"([A-Z_]+)"', source))
    secret = find("Secret", "adolf-secrets")["stringData"]
    assert set(find("ConfigMap", "adolf-config")["data"]) <= read
    # REDIS_PASSWORD is for KEDA's scaler, not for ADOLF.
    assert set(secret) - {"REDIS_PASSWORD"} <= read
    assert {"SECRET_KEY", "FIELD_ENCRYPTION_KEY", "DATABASE_URL", "REDIS_URL"} <= set(secret)


def test_the_scaled_object_scales_the_worker_on_each_queues_redis_list():
    scaled = find("ScaledObject", "adolf-worker")
    assert scaled["apiVersion"] == "keda.sh/v1alpha1"
    spec = scaled["spec"]
    assert spec["scaleTargetRef"]["name"] == "adolf-worker"
    assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"]
    assert [trigger["metadata"]["listName"] for trigger in spec["triggers"]] == list(QUEUES)
    for trigger in spec["triggers"]:
        assert trigger["type"] == "redis"
        assert re.fullmatch(r"[\w.-]+:\d+", trigger["metadata"]["address"])  # host:port, as KEDA requires
        assert trigger["metadata"]["listLength"].isdigit()
        assert trigger["metadata"]["databaseIndex"].isdigit()
        auth = find("TriggerAuthentication", trigger["authenticationRef"]["name"])
        [secret_ref] = auth["spec"]["secretTargetRef"]
        assert secret_ref["parameter"] == "password"
        assert secret_ref["key"] in find("Secret", secret_ref["name"])["stringData"]


def test_keda_kinds_have_no_schema_here_so_they_are_checked_above():
    scaled = find("ScaledObject", "adolf-worker")
    with pytest.raises(kubernetes_validate.SchemaNotFoundError):
        kubernetes_validate.validate(scaled, KUBERNETES, strict=True)
