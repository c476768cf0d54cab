"""`docker compose up --scale worker=3` works: read statically (no Docker engine here).

A service scales when nothing pins a replica: no fixed hostname or container name (they
would collide), no host port (only one replica could bind it), no shared volume, and a
health check that asks the replica itself. Beat stays exactly one.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings

from adolf.celery import QUEUES

ROOT = Path(settings.BASE_DIR)
SERVICES = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
# The services with a host port each run once: the web (behind its port), Flower, the databases.
SINGLE = {"web", "flower", "postgres", "redis", "migrate", "beat"}


def test_the_worker_has_nothing_that_pins_one_replica():
    worker = SERVICES["worker"]
    for key in ("hostname", "container_name", "ports", "volumes"):
        assert key not in worker, key


def test_only_the_single_services_publish_host_ports_or_fix_names():
    for name, service in SERVICES.items():
        if name not in SINGLE:
            assert not {"ports", "hostname", "container_name"} & set(service), name
    assert not any("hostname" in service or "container_name" in service for service in SERVICES.values())


def test_each_worker_replica_checks_its_own_health():
    test = " ".join(SERVICES["worker"]["healthcheck"]["test"])
    # $$ is compose's escape: the shell of each container expands its own HOSTNAME.
    assert "inspect ping --destination celery@$$HOSTNAME" in test
    assert "--hostname" not in SERVICES["worker"]["command"]  # the node name is celery@<container>


def test_beat_checks_its_own_liveness_and_stays_one():
    beat = SERVICES["beat"]
    assert beat["deploy"]["replicas"] == 1
    assert "http://127.0.0.1:9808/health/live" in " ".join(beat["healthcheck"]["test"])


def test_scaled_workers_consume_every_queue_and_stop_gracefully():
    command = SERVICES["worker"]["command"]
    assert command[command.index("--queues") + 1].split(",") == list(QUEUES)
    assert SERVICES["worker"]["stop_grace_period"] == "60s"
