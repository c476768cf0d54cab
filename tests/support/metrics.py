"""Read /metrics the way Prometheus does (with prometheus_client's own parser): the web's and a worker's own."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    """Return every sample of an exposition as {(sample name, sorted labels): value}."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client, **headers: str) -> Samples:
    """GET /metrics from the machine itself and parse it."""
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", headers=headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return parse(response.content.decode())


def scrape_process(handle, **headers: str) -> Samples:
    """GET a worker's or beat's own /metrics (METRICS_LISTEN) and parse it."""
    response = httpx.get(handle.metrics_url, headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return parse(response.text)


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value, 0 when it is not there (yet)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)
