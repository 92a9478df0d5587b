"""Starts and stops the assistant's processes: the rasa_sdk action server, the Rasa server and
the demo page's web server.

Used by `make run` (bot/dev/launcher.py), the tests and the evaluation, so all three run the
assistant the same way.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import requests

from bot import settings
from bot.dev.client import RasaClient, poll_until

STOP_TIMEOUT_SECONDS = 15
START_TIMEOUT_SECONDS = 240


@dataclass
class Services:
    rasa_url: str
    action_url: str
    web_url: str
    token: str
    env: Dict[str, str]
    processes: Dict[str, subprocess.Popen]
    log_files: List[Path]

    def client(self) -> RasaClient:
        return RasaClient(self.rasa_url, self.token)

    def logs(self) -> str:
        return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in self.log_files if p.exists())

    def exited(self) -> Optional[str]:
        """The name of a process that has exited, if any."""
        return next((name for name, p in self.processes.items() if p.poll() is not None), None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def isolated_settings() -> settings.ServerSettings:
    """Free ports and a random token: for tests and the evaluation, beside any `make run`."""
    return settings.ServerSettings(
        rasa_port=free_port(),
        action_port=free_port(),
        web_port=free_port(),
        auth_token=secrets.token_urlsafe(16),
        auth_token_generated=False,
    )


def service_environment(server: settings.ServerSettings, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    return {
        **os.environ,
        **(extra or {}),
        "RASA_PORT": str(server.rasa_port),
        "ACTION_PORT": str(server.action_port),
        "WEB_PORT": str(server.web_port),
        "RASA_AUTH_TOKEN": server.auth_token,
    }


def start_services(
    server: settings.ServerSettings, log_dir: Optional[Path] = None, extra_env: Optional[Dict[str, str]] = None
) -> Services:
    """Starts both processes; their output goes to log_dir (or this process's terminal)."""
    env = service_environment(server, extra_env)
    commands = {
        "actions": [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(server.action_port)],
        "rasa": [sys.executable, "-m", "bot.rasa.serve"],
        "web": [sys.executable, "-m", "bot.dev.web"],
    }
    processes, log_files = {}, []
    for name, command in commands.items():
        output = None
        if log_dir is not None:
            log_files.append(log_dir / f"{name}.log")
            output = log_files[-1].open("w")
        processes[name] = subprocess.Popen(
            command, cwd=settings.PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT if output else None
        )
    return Services(
        rasa_url=f"http://localhost:{server.rasa_port}",
        action_url=f"http://localhost:{server.action_port}",
        web_url=f"http://localhost:{server.web_port}",
        token=server.auth_token,
        env=env,
        processes=processes,
        log_files=log_files,
    )


def stop_services(services: Services) -> None:
    for process in services.processes.values():
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for process in services.processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()


def wait_until_ready(services: Services, timeout_seconds: float = START_TIMEOUT_SECONDS) -> None:
    """Waits for the action server's /health, the demo page and the Rasa server's loaded model."""
    deadline = time.monotonic() + timeout_seconds

    def started() -> bool:
        crashed = services.exited()
        if crashed:
            raise RuntimeError(f"the {crashed} process exited while starting:\n{services.logs()[-3000:]}")
        return all(requests.get(url, timeout=2).ok for url in (f"{services.action_url}/health", services.web_url))

    poll_until(started, timeout_seconds, "action server and demo page")
    services.client().wait_until_ready(max(1.0, deadline - time.monotonic()))


@contextlib.contextmanager
def running_services(
    server: settings.ServerSettings, log_dir: Optional[Path] = None, extra_env: Optional[Dict[str, str]] = None
) -> Iterator[Services]:
    """Starts the assistant, waits until it answers, and stops it afterwards."""
    services = start_services(server, log_dir, extra_env)
    try:
        wait_until_ready(services)
        yield services
    finally:
        stop_services(services)
