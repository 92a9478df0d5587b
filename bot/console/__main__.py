"""`python -m bot.console`: serves the staff console on CONSOLE_PORT (loopback by default)."""

from __future__ import annotations

import logging
import sys

from bot import listening, logs, settings

logger = logging.getLogger(__name__)


def main() -> int:
    logs.configure()
    from bot.console.app import create_app  # after logging is set up: importing Rasa warns

    try:
        port = settings.server_settings().console_port
        app = create_app()
    except settings.ConfigurationError as error:
        logger.critical("Cannot start the staff console: %s", error)
        return 2
    logs.configure()  # again: creating the Sanic app installed Sanic's own log handlers
    return listening.run(app, settings.bind_address(), port)


if __name__ == "__main__":
    sys.exit(main())
