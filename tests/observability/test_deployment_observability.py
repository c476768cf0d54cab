"""The compose stack wires observability: one metrics volume for web, worker and beat, probes, Flower."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SERVICES = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_web_worker_and_beat_share_the_metrics_volume_under_hostnames_of_their_own():
    writers = ("web", "worker", "beat")
    # The image's ADOLF_DATA_DIR is /app/var; the default multiprocess directory lies under it.
    for name in writers:
        assert SERVICES[name]["volumes"] == ["metrics:/app/var/prometheus"], name
    assert len({SERVICES[name]["hostname"] for name in writers}) == 3


def test_the_web_healthcheck_asks_the_liveness_probe():
    assert "/health/live" in " ".join(SERVICES["web"]["healthcheck"]["test"])


def test_flower_runs_in_the_stack_with_a_password_and_from_make():
    assert SERVICES["flower"]["command"][:4] == ["celery", "-A", "adolf", "flower"]
    assert any(part.startswith("--basic-auth=") for part in SERVICES["flower"]["command"])
    assert "celery -A adolf flower" in (ROOT / "Makefile").read_text()
