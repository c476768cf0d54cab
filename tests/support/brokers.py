"""A broker of a test's own: kombu's filesystem transport in a folder, so no other worker takes its tasks."""

from __future__ import annotations

from pathlib import Path

from celery import Celery


def private_broker(folder: Path) -> tuple[dict[str, str], Celery]:
    """Return the environment that puts a child process on the folder's broker, and an app that sends there."""
    broker = folder / "broker"
    for part in ("queue", "control", "processed"):
        (broker / part).mkdir(parents=True, exist_ok=True)
    env = {"ADOLF_DATA_DIR": str(folder), "CELERY_BROKER_URL": "filesystem://"}
    app = Celery(
        "sender",
        broker="filesystem://",
        set_as_current=False,
        broker_transport_options={
            "data_folder_in": str(broker / "queue"),
            "data_folder_out": str(broker / "queue"),
            "control_folder": str(broker / "control"),
        },
    )
    return env, app
