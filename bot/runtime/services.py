"""Starts and stops the assistant's processes: the rasa_sdk action server, the Rasa server, the
demo page's web server and the staff console.

Used by `make run` (bot/runtime/launcher.py), the tests and the evaluation, so all three run the
assistant the same way.
"""

from __future__ import annotations

import contextlib
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence

import requests

from bot import settings
from bot.rasa.channels import channel_variables
from bot.runtime.client import RasaClient, poll_until

COMMANDS = {"actions": "actions", "rasa": "bot.rasa.serve", "web": "bot.runtime.web", "console": "bot.console"}
ASSISTANT = ("actions", "rasa")  # what answers patients: enough for an evaluation
STOP_TIMEOUT_SECONDS = 15
START_TIMEOUT_SECONDS = 240


@dataclass
class Services:
    rasa_url: str
    action_url: str
    web_url: str
    console_url: str
    token: str
    env: Dict[str, Dict[str, str]]  # per process
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
        console_port=free_port(),
        auth_token=secrets.token_urlsafe(16),
        auth_token_generated=False,
        action_token=secrets.token_urlsafe(16),
    )


def service_environments(
    server: settings.ServerSettings, extra: Optional[Dict[str, str]] = None
) -> Dict[str, Dict[str, str]]:
    """Each process's environment: only what it reads (bot/settings.py), the channels' secrets
    for the Rasa server; never the whole environment of the process starting them."""
    values = {
        **settings.environment(),
        **(extra or {}),
        "RASA_PORT": str(server.rasa_port),
        "ACTION_PORT": str(server.action_port),
        "WEB_PORT": str(server.web_port),
        "CONSOLE_PORT": str(server.console_port),
        "RASA_AUTH_TOKEN": server.auth_token,
        "ACTION_TOKEN": server.action_token,
    }
    secrets_ = channel_variables(settings.PROJECT_ROOT / "credentials.yml")
    return {
        process: settings.process_environment(process, values, secrets_ if process == "rasa" else ())
        for process in COMMANDS
    }


def isolated_environment(directory: Path) -> Dict[str, str]:
    """Databases and model store of their own, in `directory`, and the action server they start
    (never one this environment names): for tests and the evaluation."""
    return {
        "ACTION_SERVER_URL": "",  # blank: the default, on ACTION_PORT
        "TRACKER_DATABASE_URL": f"sqlite:///{directory / 'conversations.db'}",
        "ERASURE_LOG_URL": f"sqlite:///{directory / 'erasures.db'}",
        "MODEL_STORE_DIR": str(directory / "models"),
        "REVIEWED_DATA_FILE": str(directory / "reviewed.yml"),
    }


def start_services(
    server: settings.ServerSettings,
    log_dir: Optional[Path] = None,
    extra_env: Optional[Dict[str, str]] = None,
    processes: Sequence[str] = tuple(COMMANDS),
) -> Services:
    """Starts the processes; their output goes to log_dir (or this process's terminal)."""
    environments = service_environments(server, extra_env)
    services = Services(
        rasa_url=f"http://localhost:{server.rasa_port}",
        action_url=f"http://localhost:{server.action_port}",
        web_url=f"http://localhost:{server.web_port}",
        console_url=f"http://localhost:{server.console_port}",
        token=server.auth_token,
        env=environments,
        processes={},
        log_files=[],
    )
    for name in processes:
        start_process(services, name, log_dir / f"{name}.log" if log_dir is not None else None)
    return services


def kind(name: str) -> str:
    """What a process is: "rasa" for every Rasa replica ("rasa", "rasa@2"...), else its name."""
    return name.partition("@")[0]


def start_process(services: Services, name: str, log_file: Optional[Path] = None) -> subprocess.Popen:
    """(Re)starts one of the processes, as start_services started it."""
    output = log_file.open("a") if log_file is not None else None
    process = subprocess.Popen(
        [sys.executable, "-m", COMMANDS[kind(name)]],
        cwd=settings.PROJECT_ROOT,
        env=services.env[name],
        stdout=output,
        stderr=subprocess.STDOUT if output else None,
    )
    services.processes[name] = process
    if log_file is not None and log_file not in services.log_files:
        services.log_files.append(log_file)
    return process


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
    """Waits for the action server's /health, the demo page, the console and the Rasa server's
    loaded model (those of them that were started)."""
    deadline = time.monotonic() + timeout_seconds
    health = {
        "actions": f"{services.action_url}/health",
        "web": services.web_url,
        "console": f"{services.console_url}/health",
    }
    urls = [url for name, url in health.items() if name in services.processes]

    def started() -> bool:
        crashed = services.exited()
        if crashed:
            raise RuntimeError(f"the {crashed} process exited while starting:\n{services.logs()[-3000:]}")
        return all(requests.get(url, timeout=2).ok for url in urls)

    poll_until(started, timeout_seconds, "action server, demo page and console")
    clients = [
        RasaClient(f"http://127.0.0.1:{services.env[name]['RASA_PORT']}", services.token)
        for name in services.processes
        if kind(name) == "rasa"
    ]
    poll_until(
        lambda: started() and all(client.ready() for client in clients),
        max(1.0, deadline - time.monotonic()),
        "Rasa server",
    )


@contextlib.contextmanager
def running_services(
    server: settings.ServerSettings,
    log_dir: Optional[Path] = None,
    extra_env: Optional[Dict[str, str]] = None,
    processes: Sequence[str] = tuple(COMMANDS),
) -> Iterator[Services]:
    """Starts the assistant, waits until it answers, and stops it afterwards."""
    services = start_services(server, log_dir, extra_env, processes)
    try:
        wait_until_ready(services)
        yield services
    finally:
        stop_services(services)
