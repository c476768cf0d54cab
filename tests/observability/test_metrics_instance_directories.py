"""Each instance of ADOLF's processes keeps its metric values in a directory of its own."""

from __future__ import annotations

import os

import pytest

from adolf import multiproc


@pytest.mark.parametrize(
    ("argv", "role"),
    [
        (["/usr/local/bin/gunicorn", "adolf.wsgi:application"], "web"),
        (["manage.py", "runserver", "127.0.0.1:8000"], "web"),
        (["/usr/local/bin/celery", "-A", "adolf", "worker", "--queues", "default"], "worker"),
        (["/venv/lib/python3.11/site-packages/celery/__main__.py", "-A", "adolf", "worker"], "worker"),
        (["/usr/local/bin/celery", "-A", "adolf", "beat"], "beat"),
        (["/usr/local/bin/celery", "-A", "adolf", "inspect", "ping"], "cli"),
        (["manage.py", "shop_status"], "cli"),
    ],
)
def test_the_role_comes_from_the_command_line(argv, role):
    assert multiproc.role(argv) == role


def test_an_owner_gets_a_fresh_directory_and_its_forked_children_share_it(monkeypatch, tmp_path):
    monkeypatch.setenv("ADOLF_DATA_DIR", str(tmp_path))
    monkeypatch.delenv(multiproc.ENV, raising=False)
    monkeypatch.delenv(multiproc.OWNER_ENV, raising=False)
    argv = ["/usr/local/bin/celery", "-A", "adolf", "worker"]
    stale = tmp_path / "prometheus" / f"worker-{multiproc.process_identifier()}"
    stale.mkdir(parents=True)
    (stale / "counter_old.db").write_bytes(b"left by a dead process with our pid")

    owned = multiproc.configure(argv)

    assert owned == stale
    assert not any(owned.iterdir())
    assert os.environ[multiproc.OWNER_ENV] == f"worker:{os.getpid()}"
    # A pool child (forked: same command line, our pid as its parent) keeps the directory.
    monkeypatch.setattr(os, "getpid", lambda: 999_999)
    monkeypatch.setattr(os, "getppid", lambda: int(os.environ[multiproc.OWNER_ENV].split(":")[1]))
    assert multiproc.configure(argv) == owned


def test_a_process_started_beside_another_gets_its_own_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("ADOLF_DATA_DIR", str(tmp_path))
    # Started by a test process, a worker inherits that process's variables, not its directory.
    monkeypatch.setenv(multiproc.ENV, str(tmp_path / "prometheus" / "cli-somewhere"))
    monkeypatch.setenv(multiproc.OWNER_ENV, f"cli:{os.getppid()}")

    directory = multiproc.configure(["/usr/local/bin/celery", "-A", "adolf", "worker"])

    assert directory.name == f"worker-{multiproc.process_identifier()}"
