"""The demo store of `make run`: the simulator on a fixed port with fixed keys, polled often."""

from __future__ import annotations

from shop.models import Store

DEMO_URL = "http://127.0.0.1:8100"
# Keys of a simulated store on loopback, known to anyone reading this file: demo only.
DEMO_KEY = "ck_demo0000000000000000000000000000000000"
DEMO_SECRET = "cs_demo0000000000000000000000000000000000"  # noqa: S105
DEMO_POLL_INTERVAL = 15


def ensure_demo_store() -> tuple[Store, bool]:
    """Register the demo store once; return it and whether it was created now."""
    return Store.objects.get_or_create(
        slug="demo",
        defaults={
            "name": "Demo shop (simulated)",
            "base_url": DEMO_URL,
            "allow_http": True,  # a plain-http store: requests are signed with OAuth 1.0a
            "consumer_key": DEMO_KEY,
            "consumer_secret": DEMO_SECRET,
            "poll_interval": DEMO_POLL_INTERVAL,
        },
    )
