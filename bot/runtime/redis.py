"""Redis (Debian's redis-server package, which the Makefile installs) on a loopback port, for
`make cluster`'s conversation locks and the fault tests. Nothing is written to disk: locks live
seconds, and a restarted Redis starts empty."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import redis

from bot.runtime.client import poll_until
from bot.runtime.debian_program import DebianProgram, debian_binary

START_TIMEOUT_SECONDS = 20


@dataclass
class Redis(DebianProgram):
    directory: Path
    port: int
    process: Optional[subprocess.Popen] = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = debian_binary("redis-server", "/usr/bin/redis-server", "redis-server")
        self.directory.mkdir(parents=True, exist_ok=True)
        log = (self.directory / "redis.log").open("a")
        self.process = subprocess.Popen(
            [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.directory)]
            + ["--save", "", "--appendonly", "no", "--protected-mode", "yes"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        client = redis.Redis(port=self.port, socket_timeout=1)
        poll_until(lambda: self._answers(client), START_TIMEOUT_SECONDS, "Redis")

    def _answers(self, client: redis.Redis) -> bool:
        self.check_running("redis-server", str(self.directory / "redis.log"))
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
