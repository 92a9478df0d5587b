"""Redis (Debian's redis-server package, which the Makefile installs) on a loopback port, for
`make cluster`'s conversation locks and the fault tests. Nothing is written to disk: locks live
seconds, and a restarted Redis starts empty. With a `password`, every client must give it (the
password is in a configuration file readable by its owner, never on the command line)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional
from urllib.parse import quote

import redis

from bot.runtime.client import poll_until
from bot.runtime.debian_program import DebianProgram, debian_binary

START_TIMEOUT_SECONDS = 20


@dataclass
class Redis(DebianProgram):
    directory: Path
    port: int
    password: str = field(default="", repr=False)
    process: Optional[subprocess.Popen] = field(default=None, repr=False)

    @property
    def url(self) -> str:
        login = f":{quote(self.password, safe='')}@" if self.password else ""
        return f"redis://{login}127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = debian_binary("redis-server", "/usr/bin/redis-server", "redis-server")
        self.directory.mkdir(parents=True, exist_ok=True)
        log = (self.directory / "redis.log").open("a")
        self.process = subprocess.Popen(
            [binary, *self._configuration(), "--bind", "127.0.0.1", "--port", str(self.port)]
            + ["--dir", str(self.directory), "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        poll_until(lambda: self._answers(client), START_TIMEOUT_SECONDS, "Redis")

    def _configuration(self) -> List[str]:
        """A configuration file requiring the password, if there is one (its path is redis-server's
        first argument)."""
        if not self.password:
            return []
        path = self.directory / "redis.conf"
        path.unlink(missing_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(f'requirepass "{self.password}"\n')
        return [str(path)]

    def _answers(self, client: redis.Redis) -> bool:
        self.check_running("redis-server", str(self.directory / "redis.log"))
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
