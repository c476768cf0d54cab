"""`manage.py simulate_store` runs the simulator standalone and prints its URL and keys."""

from __future__ import annotations

import re
import shlex
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from io import StringIO

import httpx
import pytest
from django.core.management import CommandError, call_command

from adolf.tls import tls_context
from shop.models import Store
from tests.support.certificates import issue, make_ca
from tests.support.processes import PROJECT_ROOT, wait_for


def test_it_serves_the_store_standalone_with_the_keys_it_prints(tmp_path):
    log = tmp_path / "simulator.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "simulate_store", "--port", "0", "--orders", "3", "--timezone", "Asia/Tokyo"],
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        text = wait_for(lambda: "Ctrl-C" in log.read_text() and log.read_text(), timeout=30, what="the banner")
        url = re.search(r"store at (http://127\.0\.0\.1:\d+)", text)[1]
        key = re.search(r"read/write key:\s+(ck_\w+)", text)[1]
        secret = re.search(r"read/write key:.*\n\s+its secret:\s+(cs_\w+)", text)[1]
        response = httpx.get(f"{url}/wp-json/wc/v3/orders", auth=(key, secret), timeout=5)
        assert response.status_code == 200
        assert response.headers["X-WP-Total"] == "3"
        order = response.json()[0]
        local, gmt = (datetime.fromisoformat(order[name]) for name in ("date_created", "date_created_gmt"))
        assert local - gmt == timedelta(hours=9)  # Tokyo: UTC+9, no daylight saving
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0


def test_it_serves_real_tls_with_the_certificate_it_is_given(tmp_path):
    ca = make_ca("Demo CA")
    certfile, keyfile = issue(ca).files(tmp_path)
    log = tmp_path / "simulator.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "simulate_store", "--port", "0", "--orders", "1",
             "--certificate", certfile, "--private-key", keyfile, "--strip-authorization"],
            cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        text = wait_for(lambda: "Ctrl-C" in log.read_text() and log.read_text(), timeout=30, what="the banner")
        url = re.search(r"store at (https://127\.0\.0\.1:\d+)", text)[1]
        key = re.search(r"read/write key:\s+(ck_\w+)", text)[1]
        secret = re.search(r"read/write key:.*\n\s+its secret:\s+(cs_\w+)", text)[1]
        with httpx.Client(verify=tls_context(ca.cert_pem), timeout=5) as client:
            # The host drops the Authorization header: only keys in the query string are seen.
            assert client.get(f"{url}/wp-json/wc/v3/orders", auth=(key, secret)).status_code == 401
            answer = client.get(f"{url}/wp-json/wc/v3/orders", params={"consumer_key": key, "consumer_secret": secret})
        assert (answer.status_code, answer.headers["X-WP-Total"]) == (200, "1")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0


def test_an_unknown_time_zone_is_refused_with_what_is_expected():
    with pytest.raises(CommandError, match="'Mars/Olympus' is not a time zone name like Europe/Moscow or UTC"):
        call_command("simulate_store", "--port", "0", "--timezone", "Mars/Olympus")


def test_it_serves_capped_pages_and_ignores_modified_after_when_told(tmp_path):
    log = tmp_path / "simulator.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "simulate_store", "--port", "0", "--orders", "5", "--page-cap", "2",
             "--ignore-modified-after"],
            cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        text = wait_for(lambda: "Ctrl-C" in log.read_text() and log.read_text(), timeout=30, what="the banner")
        assert "at most 2 orders a page" in text
        url = re.search(r"store at (http://127\.0\.0\.1:\d+)", text)[1]
        key = re.search(r"read/write key:\s+(ck_\w+)", text)[1]
        secret = re.search(r"read/write key:.*\n\s+its secret:\s+(cs_\w+)", text)[1]
        future = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0, tzinfo=None).isoformat()
        params = {"per_page": 100, "modified_after": future, "dates_are_gmt": "true"}
        response = httpx.get(f"{url}/wp-json/wc/v3/orders", params=params, auth=(key, secret), timeout=5)
        assert (len(response.json()), response.headers["X-WP-Total"], response.headers["X-WP-TotalPages"]) == (
            2,
            "5",
            "3",
        )
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0


def test_a_page_cap_below_one_is_refused():
    with pytest.raises(CommandError, match="--page-cap must be a positive number of orders"):
        call_command("simulate_store", "--port", "0", "--page-cap", "0")


def _banner(tmp_path, *arguments):
    log = tmp_path / "simulator.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "simulate_store", "--port", "0", *arguments],
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    text = wait_for(lambda: "Ctrl-C" in log.read_text() and log.read_text(), timeout=30, what="the banner")
    return process, text


def _add_printed_store(text: str) -> str:
    """Run the add_store line of the banner as a shell would split it; return the new store's slug."""
    [line] = [line for line in text.splitlines() if "manage.py add_store" in line]
    arguments = shlex.split(line.split("manage.py", 1)[1])
    out = StringIO()
    call_command(*arguments, stdout=out)
    return re.search(r"slug=([\w-]+)", out.getvalue())[1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "api"),
    [(["--plain-http"], "rest"), ([], "mcp-adapter")],
    ids=["plain-http REST", "MCP adapter of the default simulator"],
)
def test_the_add_store_line_it_prints_adds_a_store_that_polls_can_read(tmp_path, arguments, api):
    process, text = _banner(tmp_path, *arguments)
    try:
        slug = _add_printed_store(text)
        assert Store.objects.get(slug=slug).api == api
        # check_store raises CommandError (exit 1) when polls cannot work.
        out = StringIO()
        call_command("check_store", slug, stdout=out)
        assert "[fails]" not in out.getvalue()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0


def test_without_plain_http_or_a_certificate_it_says_its_rest_api_cannot_be_added(tmp_path):
    process, text = _banner(tmp_path, "--mcp-off")
    try:
        assert "start it with --plain-http (or --certificate) to add its REST API" in text
        assert "manage.py add_store" not in text
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
