"""A redis-server of the test's own, on a free port, that the test can restart."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import redis

from tests.support.processes import free_port, wait_for


class RedisServer:
    """Run `redis-server` on 127.0.0.1 with an append-only file, as a broker should run.

    Persistent so a restart keeps queued messages and kombu's queue bindings, like a
    production broker; `restart()` stops it (SIGTERM, which flushes the file) and starts it
    again on the same port. With `password`, clients must authenticate (requirepass); `url`
    then carries it percent-encoded, as a REDIS_URL must.
    """

    def __init__(self, folder: Path, *, password: str = "") -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: `make test` installs it (apt-get install redis-server)")
        self.binary = binary
        self.folder = folder
        self.port = free_port()
        self.password = password
        credentials = f":{quote(password, safe='')}@" if password else ""
        self.url = f"redis://{credentials}127.0.0.1:{self.port}/0"
        self.restarts = 0
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        command = [
            self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
            "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "yes",
            "--maxmemory-policy", "noeviction",
        ]  # fmt: skip
        if self.password:
            command += ["--requirepass", self.password]
        log = (self.folder / "redis.log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        client = redis.Redis(port=self.port, password=self.password or None, socket_timeout=1, socket_connect_timeout=1)

        def answers() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}")
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        wait_for(answers, timeout=20, interval=0.1, what=f"redis-server on port {self.port}")
        client.close()
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def restart(self, *, down_for: float = 1.0) -> None:
        self.stop()
        time.sleep(down_for)  # clients notice the outage and start reconnecting
        self.start()
        self.restarts += 1

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
