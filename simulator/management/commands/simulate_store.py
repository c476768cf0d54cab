"""Run the WooCommerce store simulator standalone, for the demo, manual testing and benchmarks."""

from __future__ import annotations

import signal
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from simulator import SimulatedStore, StoreServer
from simulator.demo import DEMO_KEY, DEMO_SECRET
from simulator.mcp import ADAPTER_PATH, LEGACY_PATH
from simulator.scenario import Scenario
from simulator.store import ApiKey


class Command(BaseCommand):
    """`manage.py simulate_store`: serve a simulated WooCommerce store until interrupted."""

    help = "Serve a simulated WooCommerce store (REST v3, MCP, webhooks) and print its URL and keys."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8100, help="0 picks a free port")
        parser.add_argument("--orders", type=int, default=0, help="orders to create at start-up")
        parser.add_argument("--scenario", action="store_true", help="keep creating and changing orders")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between scenario steps")
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument(
            "--plain-http", action="store_true", help="behave as a plain-http store (OAuth 1.0a only, no Basic auth)"
        )
        parser.add_argument(
            "--demo-keys",
            action="store_true",
            help="use the fixed keys of the `make run` demo store (simulator/demo.py)",
        )
        parser.add_argument("--certificate", help="serve real TLS with this PEM certificate (chain) file")
        parser.add_argument("--private-key", help="the PEM private key of --certificate")
        parser.add_argument(
            "--strip-authorization",
            action="store_true",
            help="behave as a host that drops the Authorization header (keys then work only in the query string)",
        )
        parser.add_argument("--redirect-to", default="", help="answer every request with a 301 to this address")
        parser.add_argument(
            "--timezone",
            default="Europe/Moscow",
            help="the store's time zone (WordPress's Timezone setting), e.g. America/Los_Angeles or UTC",
        )
        parser.add_argument(
            "--mcp-off", action="store_true", help="WooCommerce's MCP feature switched off: no MCP endpoint"
        )
        parser.add_argument(
            "--page-cap", type=int, default=None, help="serve at most this many orders a page, whatever per_page asks"
        )
        parser.add_argument(
            "--ignore-modified-after",
            action="store_true",
            help="list every order whatever modified_after says (WooCommerce before 5.8, an HPOS bug)",
        )
        parser.add_argument("--webhook-delay", type=float, default=0.0, help="seconds before a webhook is delivered")
        parser.add_argument("--webhook-loss", type=float, default=0.0, help="share of webhook deliveries lost (0-1)")

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["certificate"]) != bool(options["private_key"]):
            raise CommandError("--certificate and --private-key go together")
        if options["certificate"] and options["plain_http"]:
            raise CommandError("--plain-http and --certificate contradict each other")
        try:
            store = SimulatedStore(
                https=not options["plain_http"],
                timezone=options["timezone"],
                mcp_enabled=not options["mcp_off"],
                strips_authorization=options["strip_authorization"],
                redirect_to=options["redirect_to"].rstrip("/"),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if options["page_cap"] is not None and options["page_cap"] < 1:
            raise CommandError("--page-cap must be a positive number of orders")
        store.page_cap, store.ignores_modified_after = options["page_cap"], options["ignore_modified_after"]
        if options["demo_keys"]:
            store.rw_key = ApiKey(DEMO_KEY, DEMO_SECRET, "read_write")
            store.keys[DEMO_KEY] = store.rw_key
        try:
            server = StoreServer(
                store,
                host=options["host"],
                port=options["port"],
                certfile=options["certificate"],
                keyfile=options["private_key"],
                delay_seconds=options["webhook_delay"],
                coalesce_seconds=options["webhook_delay"],
                loss_rate=options["webhook_loss"],
                seed=options["seed"],
            )
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot serve: {exc}") from None
        scenario = Scenario(store, interval=options["interval"], seed=options["seed"])
        start = datetime.now(UTC) - timedelta(days=1)
        for n in range(options["orders"]):
            store.create_order(status="completed", at=start + timedelta(seconds=n))
        user, password = next(iter(store.app_passwords.items()))
        lines = [
            f"Simulated WooCommerce store at {server.url} (time zone {store.timezone})",
            f"  REST v3:         {server.url}/wp-json/wc/v3/  ("
            + (
                "OAuth 1.0a only: plain http"
                if options["plain_http"]
                else "Basic auth over TLS"
                if options["certificate"]
                else "Basic auth, as behind https"
            )
            + ")",
            f"  read/write key:  {store.rw_key.key}",
            f"  its secret:      {store.rw_key.secret}",
            f"  read-only key:   {store.read_key.key}",
            f"  its secret:      {store.read_key.secret}",
            f"  MCP (legacy):    {server.url}{LEGACY_PATH}  X-MCP-API-Key: <key>:<secret>",
            f"  MCP (adapter):   {server.url}{ADAPTER_PATH}  user {user}, application password {password}",
            *(["  MCP feature off: both MCP endpoints answer 404 rest_no_route"] if options["mcp_off"] else []),
            *([f"  at most {store.page_cap} orders a page"] if store.page_cap else []),
            *(
                ["  modified_after is ignored: every listing holds the whole history"]
                if store.ignores_modified_after
                else []
            ),
            f"  control API:     {server.url}/_simulator/  (orders, faults, behaviour, clock, mcp/expire, state)",
            *add_store_hint(server.url, store, options),
            "Ctrl-C stops it.",
        ]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        server.start()
        if options["scenario"]:
            scenario.start(on_step=lambda message: (self.stdout.write(message), self.stdout.flush()))
        try:
            stop.wait()
        finally:
            scenario.stop()
            server.stop()


def add_store_hint(url: str, store: SimulatedStore, options: dict[str, Any]) -> list[str]:
    """The `add_store` command that lets ADOLF poll this simulator, as lines of the banner.

    A plain-http store is added with `--allow-http` (REST signs with OAuth 1.0a); a store
    serving TLS with its certificate as its CA. Without either it stands in for an https store
    behind a proxy, which ADOLF cannot reach over REST (it would send its keys in clear over
    http): its MCP adapter can be added instead (loopback MCP over plain http is allowed).
    """
    command = "python manage.py add_store --name 'Simulated store'"
    if options["plain_http"]:
        keys = f"--consumer-key {store.rw_key.key} --consumer-secret {store.rw_key.secret}"
        return ["Add it to ADOLF:", f"  {command} --url {url} --allow-http {keys}"]
    if options["certificate"]:
        keys = f"--consumer-key {store.rw_key.key} --consumer-secret {store.rw_key.secret}"
        ca = "<the CA that signed --certificate, or the certificate itself if self-signed>"
        return ["Add it to ADOLF:", f"  {command} --url {url} --ca-file {ca} {keys}"]
    if options["mcp_off"]:
        return ["Add it to ADOLF: start it with --plain-http (or --certificate) to add its REST API."]
    user, password = next(iter(store.app_passwords.items()))
    return [
        "Add it to ADOLF (its REST API needs --plain-http or --certificate; its MCP adapter works as it is):",
        f"  {command} --api mcp-adapter --url {url} --allow-http --consumer-key {user} --consumer-secret '{password}'",
    ]
