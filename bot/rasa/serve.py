"""Runs the Rasa server (what `rasa run --enable-api` does), configured from the environment.

Started in-process rather than through the `rasa run` command line so that the API token is
read from the environment and never appears in the process list. Every endpoint comes from
bot/settings.py: the action server (with its token), the conversation store (persistent,
TRACKER_DATABASE_URL) and, for several replicas, the lock store (LOCK_STORE_URL). Conversations
idle for longer than RETENTION_DAYS are purged every hour. The server listens on BIND_ADDRESS
(loopback by default), accepts requests up to MAX_REQUEST_BYTES, and its HTTP API checks the
token in constant time.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
from functools import partial
from pathlib import Path
from typing import Any, Awaitable, Callable, List, Optional
from urllib.parse import urlsplit

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import logs, settings
from bot.rasa.channels import has_token, write_enabled_credentials

logger = logging.getLogger(__name__)

PURGE_INTERVAL_SECONDS = 3600


async def purge_regularly(days: float, app: Any, _: Any) -> None:
    """Starts the hourly purge of conversations older than `days` and of old delivery ids (a
    server listener)."""
    from bot.rasa.channels.deliveries import forget_older_than
    from bot.rasa.database import database
    from bot.rasa.retention import purge

    def purge_now() -> str:
        removed = purge(database(), days)
        return f"{removed}; {forget_older_than(database())} old delivery id(s)"

    async def every_hour() -> None:
        while True:
            try:
                report = await asyncio.get_running_loop().run_in_executor(None, purge_now)
                logger.info("retention (%g days): %s", days, report)
            except Exception as error:  # the database may be down; try again next time
                logger.error("retention: purge failed (%s)", type(error).__name__)
            await asyncio.sleep(PURGE_INTERVAL_SECONDS)

    app.add_task(every_hour())


def endpoints(server: settings.ServerSettings) -> Any:
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.endpoints import EndpointConfig

    from bot.rasa.conversation_store import endpoint_config

    redis = urlsplit(settings.lock_store_url())
    lock_store = None
    if redis.hostname:  # several replicas share conversation locks in Redis
        db = int(redis.path.strip("/") or 0)
        lock_store = EndpointConfig(
            url=redis.hostname, type="redis", port=redis.port or 6379, db=db, password=redis.password
        )
    return AvailableEndpoints(
        action=EndpointConfig(f"http://127.0.0.1:{server.action_port}/webhook", token=server.action_token),
        tracker_store=endpoint_config(settings.tracker_database_url()),
        lock_store=lock_store,
    )


OPEN_PATHS = ("/", "/version")  # Rasa's own unauthenticated pages; the channels check their own


def require_api_token(token: str) -> Callable[[Request], Awaitable[Optional[HTTPResponse]]]:
    """Middleware: the HTTP API (everything but the channels) needs the token, compared in
    constant time, before Rasa's own check runs."""

    async def check(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS or request.path.startswith(("/webhooks/", "/socket.io")):
            return None
        if not has_token(request, token):
            return response.json(
                {"error": "this API needs RASA_AUTH_TOKEN (?token= or Authorization: Bearer)"}, status=401
            )
        return None

    return check


def main() -> int:
    settings.disable_rasa_telemetry()
    logs.configure()
    try:
        serve()
    except settings.ConfigurationError as error:
        print(f"Cannot start the Rasa server: {error}", file=sys.stderr)
        return 2
    return 0


def serve() -> None:
    from rasa.core.channels.channel import InputChannel
    from rasa.core.run import close_resources, configure_app, create_http_input_channels, load_agent_on_start

    from bot.rasa.database import database

    server = settings.server_settings()
    settings.tracker_database_url()  # a bad value stops the start here, with its explanation
    try:
        database()  # its tables (and directory, for SQLite) before Rasa opens it
    except Exception as error:  # the server starts anyway; the store says when it fails
        logger.error("conversation database unavailable at start (%s)", type(error).__name__)
    endpoints_ = endpoints(server)
    with tempfile.TemporaryDirectory() as private:
        credentials = Path(private) / "credentials.yml"
        names = write_enabled_credentials(settings.PROJECT_ROOT / "credentials.yml", credentials)
        logger.info("channels enabled: %s", ", ".join(names))
        channels: List[InputChannel] = create_http_input_channels(None, str(credentials))
    app = configure_app(
        channels,
        cors=settings.cors_origins(),
        auth_token=server.auth_token,
        enable_api=True,
        endpoints=endpoints_,
        server_listeners=[(partial(purge_regularly, settings.retention_days()), "after_server_start")],
    )
    logs.configure()  # again: creating the Sanic app installed Sanic's own log handlers
    app.config.REQUEST_MAX_SIZE = settings.max_request_bytes()
    app.register_middleware(require_api_token(server.auth_token), "request")

    async def load_model(app: Any, loop: Any) -> None:
        try:
            await load_agent_on_start(str(settings.MODELS_DIR), endpoints_, None, app, loop)
        except Exception as error:  # a server without its model must not look alive
            logger.critical("the Rasa server cannot start (%s)", type(error).__name__, exc_info=error)
            logging.shutdown()
            os._exit(1)

    app.register_listener(load_model, "before_server_start")
    app.register_listener(close_resources, "after_server_stop")
    logger.info("Starting the Rasa server on %s:%s", settings.bind_address(), server.rasa_port)
    app.run(host=settings.bind_address(), port=server.rasa_port, workers=1, access_log=False)


if __name__ == "__main__":
    sys.exit(main())
