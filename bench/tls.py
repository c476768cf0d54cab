"""Benchmark 5: the cost of a new TLS connection under each way of building the TLS context.

Every poll, delivery and callback opens a new client, so a new connection and handshake.
Measured against one loopback TLS server (the simulated store with a certificate of a
test CA), connect + handshake + verification, in the same run: adolf.tls's shared context
(loaded once), truststore's context shared the same way (on Linux it re-loads the OS trust
store in every handshake), and a context built per client from certifi's bundle (what
ADOLF did before contexts were shared).
"""

from __future__ import annotations

import ssl
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import certifi
import truststore

CONNECTIONS = 200


def _connect(port: int, context_for: Callable[[], ssl.SSLContext]) -> float:
    from adolf.certificates import check_server

    started = time.perf_counter()
    check_server("127.0.0.1", port, context_for(), timeout=10)
    return time.perf_counter() - started


def _measure(port: int, context_for: Callable[[], ssl.SSLContext], connections: int) -> dict:
    seconds = [_connect(port, context_for) for _ in range(connections)]
    tenth = max(1, connections // 10)
    return {
        "median_ms": statistics.median(seconds) * 1000,
        "first_tenth_ms": statistics.mean(seconds[:tenth]) * 1000,
        "last_tenth_ms": statistics.mean(seconds[-tenth:]) * 1000,
    }


def run(connections: int = CONNECTIONS) -> dict:
    from adolf import tls
    from simulator import StoreServer
    from tests.support.certificates import issue, make_ca

    ca = make_ca("Bench CA")
    with tempfile.TemporaryDirectory() as directory:
        certfile, keyfile = issue(ca).files(Path(directory))
        with StoreServer(certfile=certfile, keyfile=keyfile) as server:
            port = int(server.url.rsplit(":", 1)[1])
            shared = tls.tls_context(ca.cert_pem)
            trusting = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            trusting.load_verify_locations(cadata=ca.cert_pem)

            def per_client() -> ssl.SSLContext:
                context = ssl.create_default_context(cafile=certifi.where())
                context.load_verify_locations(cadata=ca.cert_pem)
                return context

            return {
                "connections": connections,
                "shared": _measure(port, lambda: shared, connections),
                "truststore": _measure(port, lambda: trusting, connections),
                "per_client": _measure(port, per_client, connections),
            }


def print_table(result: dict) -> None:
    print(f"\nBenchmark 5 — a new TLS connection, {result['connections']} in a row per context (ms)")
    print("context | median | first tenth | last tenth | median ÷ shared")
    base = result["shared"]["median_ms"]
    for name, label in (
        ("shared", "adolf.tls, shared"),
        ("truststore", "truststore.SSLContext, shared"),
        ("per_client", "one context per client"),
    ):
        row = result[name]
        print(
            f"{label} | {row['median_ms']:.1f} | {row['first_tenth_ms']:.1f} | {row['last_tenth_ms']:.1f} | "
            f"{row['median_ms'] / base:.1f}"
        )


if __name__ == "__main__":
    from bench.setup import start_django

    start_django()
    print_table(run())
