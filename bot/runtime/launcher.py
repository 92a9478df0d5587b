"""`make run`: starts the action server, the Rasa server, the demo page and the staff console, and
stops them on Ctrl-C.

If RASA_AUTH_TOKEN is not set, a random token is generated for this run and printed once,
so the HTTP API is never open and never protected by a guessable default.
"""

from __future__ import annotations

import signal
import sys
import time
from typing import Callable

from bot import settings
from bot.runtime.services import Services, start_services, stop_services

POLL_SECONDS = 0.5


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def announce_token(server: settings.ServerSettings) -> None:
    if server.auth_token_generated:
        print(f"RASA_AUTH_TOKEN is not set; this run's API token is: {server.auth_token}", flush=True)


def run_until_stopped(start: Callable[[], Services], stop: Callable[[Services], None]) -> int:
    """Starts the processes and watches them until Ctrl-C (or SIGTERM) or until one exits, then
    stops them all; the exit code of the one that exited, or 0."""
    signal.signal(signal.SIGTERM, _interrupt)
    services = start()
    try:
        while True:
            crashed = services.exited()
            if crashed:
                code = services.processes[crashed].returncode
                print(f"The {crashed} process exited with code {code}; stopping.", file=sys.stderr)
                return code or 1
            time.sleep(POLL_SECONDS)
    except KeyboardInterrupt:
        return 0
    finally:
        stop(services)


def main() -> int:
    server = settings.server_settings()
    announce_token(server)
    print(
        f"Starting: Rasa on http://localhost:{server.rasa_port} (REST: POST /webhooks/rest/webhook), "
        f"actions on port {server.action_port}, demo page with the chat widget on "
        f"http://localhost:{server.web_port}, staff console on http://localhost:{server.console_port} "
        f"(accounts: make staff-user USER=<name> ROLE=admin). Ctrl-C stops.",
        flush=True,
    )
    return run_until_stopped(lambda: start_services(server), stop_services)


if __name__ == "__main__":
    sys.exit(main())
