"""`python -m bot.console`: serves the staff console on CONSOLE_PORT (loopback by default)."""

from __future__ import annotations

import sys

from bot import logs, settings
from bot.console.app import create_app


def main() -> int:
    logs.configure()
    try:
        port = settings.server_settings().console_port
        app = create_app()
    except settings.ConfigurationError as error:
        print(f"Cannot start the staff console: {error}", file=sys.stderr)
        return 2
    logs.configure()  # again: creating the Sanic app installed Sanic's own log handlers
    app.run(host=settings.bind_address(), port=port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
