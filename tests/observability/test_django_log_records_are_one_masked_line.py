"""Django's own log records (django.request, django.security, …) are one line each, in the house format and masked.

Django's default logging gives the `django` logger a console handler of its own when DEBUG
is on (`make run`): each of its records was then written twice, once raw — unmasked,
outside the house format — and once through the root handler.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from tests.support.processes import PROJECT_ROOT, child_env

pytestmark = pytest.mark.e2e

# What Django logs when a view fails: the request line, and the error (here one naming a broker URL with its password).
LOGGED = (
    "import logging; "
    "logging.getLogger('django.request').error('Internal Server Error: %s (%s)', '/health/', "
    "'Error connecting to redis://:s3cret-pass@redis.internal:6379/0')"
)


@pytest.mark.parametrize("debug", ["true", "false"])
def test_a_record_of_djangos_loggers_is_written_once_masked(debug):
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", LOGGED],
        cwd=PROJECT_ROOT,
        env=child_env(DEBUG=debug, SECRET_KEY="s" * 50, FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode()),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    lines = [line for line in result.stderr.splitlines() if "Internal Server Error" in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ts=")
    assert "level=ERROR logger=django.request" in lines[0]
    assert "s3cret-pass" not in result.stderr
    assert "redis://:***@redis.internal:6379/0" in lines[0]
