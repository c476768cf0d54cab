"""Every metric the README names is scraped under that very name, so alerts copied from it match."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.django_db

# Exported by a worker's own port once its pool runs (README: "tasks and states on a worker's
# port"); the web's scrape, read here, does not carry them.
WORKER_ONLY = {"adolf_tasks_finished_total", "adolf_tasks_running"}
NOT_METRICS = {"shop_status"}  # the command, named in the same section


def readme_metric_names() -> set[str]:
    text = (Path(settings.BASE_DIR) / "README.md").read_text()
    monitoring = text.split("## Monitoring and troubleshooting", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`((?:shop|adolf)_[a-z_]+)(?:\{[^`]*\})?`", monitoring))


def test_the_readme_names_each_metric_as_prometheus_scrapes_it(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    families = list(text_string_to_metric_families(response.content.decode()))
    # What a query names: a sample (a counter's ends in _total), a histogram by its family, or
    # a gauge family (the per-store ones have no sample while no store exists).
    queryable = {sample.name for family in families for sample in family.samples}
    queryable |= {family.name for family in families if family.type in ("histogram", "gauge")}
    named = readme_metric_names()
    assert {"shop_poll_duration_seconds", "adolf_queue_length"} <= named  # the section was found
    assert sorted(named - WORKER_ONLY - NOT_METRICS - queryable) == []
