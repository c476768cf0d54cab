"""A Redis password holding `+ / = # : @ ,`: refused at start unless percent-encoded, and never shown anywhere.

Against a real redis-server that requires the password.
"""

from __future__ import annotations

import re
import subprocess
import sys
from urllib.parse import quote

import httpx
import pytest

from tests.support.processes import PROJECT_ROOT, child_env
from tests.support.redis_server import RedisServer
from tests.support.web import start_web

pytestmark = pytest.mark.e2e

PASSWORD = "alpha+bravo/charlie=delta#echo:foxtrot@golf,hotel"
WORDS = re.split(r"[+/=#:@,]", PASSWORD)  # every piece a parser could cut the password into
TOKEN = "health-token-for-the-monitoring-system"


def shows_the_password(text: str) -> list[str]:
    return [word for word in WORDS if word in text]


@pytest.fixture(scope="module")
def redis_with_password(tmp_path_factory):
    with RedisServer(tmp_path_factory.mktemp("redis"), password=PASSWORD) as server:
        yield server


@pytest.mark.django_db
@pytest.mark.parametrize(
    "command",
    [
        ["manage.py", "check"],
        ["-m", "celery", "-A", "adolf", "worker", "--queues", "nobody"],
        ["-m", "celery", "-A", "adolf", "beat"],
        ["-m", "gunicorn", "adolf.wsgi:application", "--bind", "127.0.0.1:0", "--workers", "1"],
    ],
    ids=["manage.py", "worker", "beat", "web"],
)
def test_an_unencoded_password_stops_start_up_naming_the_variable_and_never_the_value(redis_with_password, command):
    raw = f"redis://:{PASSWORD}@127.0.0.1:{redis_with_password.port}/0"

    result = subprocess.run(
        [sys.executable, *command], cwd=PROJECT_ROOT, env=child_env(REDIS_URL=raw),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "REDIS_URL is not a usable URL" in output
    assert "must be percent-encoded" in output
    assert shows_the_password(output) == []


def health_as_anyone_and_token_holder(tmp_path, redis_url: str):
    """Start the web on `redis_url`; return /health/ as an anonymous caller, as the token holder, and the web."""
    web, url = start_web(tmp_path, REDIS_URL=redis_url, CELERY_BROKER_URL=redis_url, HEALTH_TOKEN=TOKEN)
    try:
        anonymous = httpx.get(f"{url}/health/", timeout=30)
        detailed = httpx.get(f"{url}/health/", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    finally:
        web.stop()
    return anonymous, detailed, web


@pytest.mark.django_db(transaction=True)
def test_percent_encoded_it_works_and_health_shows_it_to_nobody(redis_with_password, tmp_path):
    encoded = f"redis://:{quote(PASSWORD, safe='')}@127.0.0.1:{redis_with_password.port}/0"
    anonymous, detailed, web = health_as_anyone_and_token_holder(tmp_path, encoded)

    assert anonymous.json()["components"]["broker"] == {"status": "healthy"}
    assert detailed.json()["components"]["broker"] == {"status": "healthy"}
    assert shows_the_password(anonymous.text + detailed.text + web.log()) == []


@pytest.mark.django_db(transaction=True)
def test_a_wrong_password_is_a_generic_reason_to_anyone_and_a_redacted_one_to_the_token_holder(
    redis_with_password, tmp_path
):
    wrong = "zulu+yankee/xray"
    encoded = f"redis://:{quote(wrong, safe='')}@127.0.0.1:{redis_with_password.port}/0"
    anonymous, detailed, web = health_as_anyone_and_token_holder(tmp_path, encoded)

    assert anonymous.status_code == detailed.status_code == 503
    assert anonymous.json()["components"]["broker"] == {"status": "unhealthy", "reason": "Broker unreachable"}
    assert detailed.json()["components"]["broker"]["reason"].startswith("Broker unreachable: ")
    for body in (anonymous.text, detailed.text, web.log()):
        assert [word for word in ("zulu", "yankee", "xray") if word in body] == []
