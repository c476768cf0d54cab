"""add_store and poll_orders from a shell, against a simulated store."""

from __future__ import annotations

import re
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from shop.models import OrderEvent, PollRun, Store
from tests.shop.conftest import ago
from tests.support.processes import PROJECT_ROOT, child_env, wait_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def add(sim, *extra: str) -> str:
    out = StringIO()
    key = sim.store.read_key
    call_command(
        "add_store", "--name", "Main shop", "--url", sim.url, "--consumer-key", key.key,
        "--consumer-secret", key.secret, "--allow-http", *extra, stdout=out,
    )  # fmt: skip
    return out.getvalue()


def test_add_store_keeps_an_mcp_adapter_stores_rest_keys(sim):
    user, password = next(iter(sim.store.app_passwords.items()))
    key = sim.store.read_key
    call_command(
        "add_store", "--name", "Adapter shop", "--url", sim.url, "--api", "mcp-adapter", "--consumer-key", user,
        "--consumer-secret", password, "--rest-consumer-key", key.key, "--rest-consumer-secret", key.secret,
        "--allow-http", stdout=StringIO(),
    )  # fmt: skip
    store = Store.objects.get()
    assert (store.api, store.rest_consumer_key, store.rest_consumer_secret) == ("mcp-adapter", key.key, key.secret)


def test_add_store_prints_the_new_stores_id_and_slug(sim):
    output = add(sim, "--interval", "120")
    store = Store.objects.get()
    assert output.startswith(f"Added store id={store.pk} slug=main-shop (polled every 120 s)\nWebhook URL: ")
    assert store.poll_interval == 120
    assert store.next_poll_at is not None  # due at once


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", "ftp://shop.example"], "must look like https://"),
        (["--url", "http://shop.example"], "plain http"),
        (["--interval", "1"], "--interval: "),
        (["--rest-consumer-key", "ck_r", "--rest-consumer-secret", "cs_r"], "mcp-adapter stores only"),
        (["--api", "mcp-adapter", "--rest-consumer-key", "ck_r"], "go together"),
    ],
)
def test_add_store_refuses_bad_values_with_a_clear_error(args, message):
    with pytest.raises(CommandError, match=message):
        call_command(
            "add_store", "--name", "Bad", "--url", "https://shop.example", "--consumer-key", "ck_x",
            "--consumer-secret", "cs_x", *args, stdout=StringIO(),
        )  # fmt: skip
    assert not Store.objects.exists()


def test_poll_orders_polls_synchronously_and_prints_what_it_found(sim):
    add(sim)
    orders = [sim.store.create_order(status="processing", at=ago(sim, minutes=1)).id for _ in range(3)]
    out = StringIO()
    call_command("poll_orders", "--store", "main-shop", stdout=out)
    assert re.fullmatch(r"main-shop: 1 page\(s\), 3 order\(s\), 3 event\(s\) in \d+\.\d\d s\n", out.getvalue())
    assert sorted(OrderEvent.objects.values_list("order_id", flat=True)) == orders


def test_poll_orders_fails_loudly_when_the_store_refuses(sim):
    add(sim)
    store = Store.objects.get()
    store.consumer_secret = "cs_wrong"
    store.save()
    err = StringIO()
    with pytest.raises(CommandError, match="1 of 1 poll"):
        call_command("poll_orders", "--all", stderr=err, stdout=StringIO())
    assert "authentication refused" in err.getvalue()
    assert "cs_wrong" not in err.getvalue()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_poll_orders_async_queues_the_poll_for_a_worker(sim, celery_worker):
    add(sim)
    out = StringIO()
    call_command("poll_orders", "--store", "main-shop", "--async", stdout=out)
    assert re.fullmatch(r"main-shop: queued as task [0-9a-f-]{36}\n", out.getvalue())
    wait_for(lambda: PollRun.objects.filter(trigger="command", outcome="ok").exists(), timeout=60, what="the poll")


def test_add_store_names_the_option_of_a_taken_slug_and_how_to_choose_another(sim):
    add(sim)
    with pytest.raises(CommandError, match=r"^--slug: .*\(the slug is made from --name: give another with --slug\)$"):
        add(sim)
    assert Store.objects.count() == 1
    add(sim, "--slug", "main-shop-2")
    assert Store.objects.count() == 2


def test_poll_orders_names_an_unknown_store():
    with pytest.raises(CommandError, match="no store with slug or id 'nope'"):
        call_command("poll_orders", "--store", "nope")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_add_store_and_poll_orders_work_from_a_shell_against_simulate_store(tmp_path):
    log = (tmp_path / "store.log").open("wb")
    simulator = subprocess.Popen(
        [sys.executable, "manage.py", "simulate_store", "--port", "0", "--plain-http", "--orders", "2"],
        cwd=PROJECT_ROOT, env=child_env(DEBUG="true"), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        text = wait_for(
            lambda: "Ctrl-C" in (tmp_path / "store.log").read_text() and (tmp_path / "store.log").read_text(),
            timeout=30,
            what="the simulator",
        )
        url = re.search(r"at (http://\S+)", text)[1]
        key, secret = re.search(r"read/write key:\s+(\S+)\s+its secret:\s+(\S+)", text).groups()

        def manage(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                [sys.executable, "manage.py", *args], cwd=PROJECT_ROOT, env=child_env(),
                capture_output=True, text=True, timeout=60,
            )  # fmt: skip

        added = manage("add_store", "--name", "Shell shop", "--url", url, "--consumer-key", key,
                       "--consumer-secret", secret, "--allow-http")  # fmt: skip
        assert added.returncode == 0, added.stderr
        assert re.match(r"Added store id=\d+ slug=shell-shop \(polled every 60 s\)\nWebhook URL: ", added.stdout)

        polled = manage("poll_orders", "--store", "shell-shop")
        assert polled.returncode == 0, polled.stderr
        assert re.match(r"shell-shop: 1 page\(s\), 0 order\(s\), 0 event\(s\)", polled.stdout)
    finally:
        simulator.terminate()
        simulator.wait(10)
        log.close()
