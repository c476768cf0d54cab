"""The compose stack wires observability: each instance serves its own metrics, probes, Flower."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SERVICES = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_no_volume_is_shared_for_metrics_and_workers_and_beat_serve_their_own():
    for name in ("web", "worker", "beat"):
        assert "volumes" not in SERVICES[name], name
    for name in ("worker", "beat"):
        assert SERVICES[name]["environment"]["METRICS_LISTEN"] == "0.0.0.0:9808", name
        assert SERVICES[name]["expose"] == ["9808"], name


def test_the_web_healthcheck_asks_the_liveness_probe():
    assert "/health/live" in " ".join(SERVICES["web"]["healthcheck"]["test"])


def test_flower_runs_in_the_stack_with_a_password_and_from_make():
    assert SERVICES["flower"]["command"][:4] == ["celery", "-A", "adolf", "flower"]
    assert any(part.startswith("--basic-auth=") for part in SERVICES["flower"]["command"])
    assert "celery -A adolf flower" in (ROOT / "Makefile").read_text()
