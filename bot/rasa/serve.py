"""Runs the Rasa server (what `rasa run --enable-api` does), configured from the environment.

Started in-process rather than through the `rasa run` command line so that the API token is
read from the environment and never appears in the process list. The endpoints are Rasa's
endpoints.yml (ENDPOINTS_FILE): the action server (ACTION_SERVER_URL, with its token), the
conversation store (persistent, TRACKER_DATABASE_URL) and, for several replicas, the lock store
(LOCK_STORE_URL), its `${VARIABLES}` set from bot/settings.py first. Conversations
idle for longer than RETENTION_DAYS are purged every hour. The server listens on BIND_ADDRESS
(loopback by default), accepts requests up to MAX_REQUEST_BYTES, and its HTTP API checks the
token in constant time. It serves the model promoted in the staff console (else the one `make
train` built), and swaps in another on POST /assistant/model without stopping (the console's
promote and rollback). `GET /health` and `GET /ready` (bot/health.py) answer load balancers without the
token; `GET /metrics` (bot/metrics.py) answers a scraper on loopback, or with the token.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any, Awaitable, Callable, List, Optional

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import health, listening, logs, metrics, settings
from bot.rasa.channels import has_token, write_enabled_credentials

logger = logging.getLogger(__name__)

PURGE_INTERVAL_SECONDS = 3600


async def purge_regularly(days: float, app: Any, _: Any) -> None:
    """Purges conversations older than `days` and old delivery ids, at the start and then every
    PURGE_INTERVAL_SECONDS (a server listener)."""
    from bot.database import database
    from bot.rasa import timer
    from bot.rasa.channels.deliveries import forget_older_than
    from bot.rasa.retention import purge

    def purge_now() -> str:
        removed = purge(database(), days)
        return f"{removed}; {forget_older_than(database())} old delivery id(s)"

    async def purge_job() -> None:
        report = await asyncio.get_running_loop().run_in_executor(None, purge_now)
        logger.info("retention (%g days): %s", days, report)

    timer.every(app, PURGE_INTERVAL_SECONDS, f"retention ({days:g} days): purge", purge_job, at_once=True)


# Open without the token: Rasa's own unauthenticated pages and the load balancer's probes; /metrics
# (loopback or the token) and the channels check their own.
OPEN_PATHS = ("/", "/version", "/health", "/ready", "/metrics")


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


def load_warm_agent(current: Any, path: Path) -> Any:
    """A new agent for the model at `path`, sharing the running agent's conversation and lock
    stores and action server, with its first prediction already made (TensorFlow traces its
    graphs on the first call, which would otherwise delay the first patient after a swap)."""
    from rasa.core.channels.channel import UserMessage
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.clinic import load_profile
    from bot.rasa.agent import OnceAgent
    from bot.rasa.clinic_responses import ClinicResponses

    agent = OnceAgent(
        tracker_store=current.tracker_store,
        lock_store=current.lock_store,
        action_endpoint=current.action_endpoint,
        generator=ClinicResponses(load_profile()),
    )
    agent.load_model(path)
    asyncio.run(agent.processor.parse_message(UserMessage("hello")))
    agent.processor.predict_next_with_tracker(DialogueStateTracker.from_events("warm-up", [], agent.domain.slots))
    return agent


def allowed_model(path: Path) -> bool:
    """A model file the staff console may load: one in its store, or the one `make train` built."""
    resolved = path.resolve()
    return resolved.is_file() and (
        resolved == settings.DEFAULT_MODEL.resolve() or resolved.parent == settings.model_store_dir().resolve()
    )


def add_model_swap(app: Any) -> None:
    """POST /assistant/model {"path": ...} (HTTP API token): loads that model beside the running
    one, then answers new messages with it; messages in progress finish on the old model."""

    @app.post("/assistant/model")
    async def swap_model(request: Request) -> HTTPResponse:
        path = Path(str((request.json or {}).get("path") or "")) if isinstance(request.json, dict) else Path()
        if not allowed_model(path):
            return response.json({"error": "path must name a model file in MODEL_STORE_DIR"}, status=400)
        started = time.perf_counter()
        agent = await asyncio.get_running_loop().run_in_executor(None, load_warm_agent, app.ctx.agent, path)
        app.ctx.agent = agent
        metrics.served(agent.model_id)
        seconds = round(time.perf_counter() - started, 2)
        logger.info("now serving model %s (loaded in %.1f s)", agent.model_id, seconds)
        return response.json({"model_id": agent.model_id, "load_seconds": seconds})


def main() -> int:
    settings.disable_rasa_telemetry()
    logs.configure()
    try:
        return serve()
    except settings.ConfigurationError as error:
        logger.critical("Cannot start the Rasa server: %s", error)
        return 2


def serve() -> int:
    from rasa.core.brokers.broker import EventBroker
    from rasa.core.channels.channel import InputChannel
    from rasa.core.run import close_resources, configure_app, create_http_input_channels

    from bot.clinic import ClinicProfileError
    from bot.database import database
    from bot.rasa import action_results, alerting, check_ins, endpoints, staff, timer
    from bot.rasa.agent import load_agent
    from bot.rasa.model_registry import served_model_path

    action_results.install()
    server = settings.server_settings()
    settings.tracker_database_url()  # a bad value stops the start here, with its explanation
    people = alerting.check_configuration()
    model = settings.DEFAULT_MODEL if not settings.model_path() else Path(settings.model_path())
    try:
        model = served_model_path(database())  # migrated (its directory made, for SQLite) before Rasa opens it
    except Exception as error:  # the server starts anyway; the store says when it fails
        logger.error("conversation database unavailable at start (%s)", logs.reason(error))
    endpoints_ = endpoints.read(settings.endpoints_file())
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
        server_listeners=[
            (partial(purge_regularly, settings.retention_days()), "after_server_start"),
            (partial(alerting.page_regularly, people), "after_server_start"),
            (check_ins.send_regularly, "after_server_start"),
            (timer.stop, "before_server_stop"),
        ],
    )
    logs.configure()  # again: creating the Sanic app installed Sanic's own log handlers
    app.config.REQUEST_MAX_SIZE = settings.max_request_bytes()
    app.register_middleware(require_api_token(server.auth_token), "request")
    add_model_swap(app)
    health.add_health_routes(app, health.model_loaded, health.database_answers(database))
    metrics.add_metrics_route(app, metrics.RASA, server.auth_token)
    app.ctx.channels = {channel.name(): channel for channel in channels}
    staff.add_staff_routes(app)
    check_ins.add_check_in_routes(app)

    async def load_model(app: Any, loop: Any) -> None:
        try:
            logger.info("serving model file %s", model.name)
            broker = await EventBroker.create(endpoints_.event_broker)  # on the server's loop, which it uses
            app.ctx.agent = await loop.run_in_executor(None, load_agent, str(model), endpoints_, broker)
            metrics.served(app.ctx.agent.model_id)
            logger.info("Rasa server is up and running.")
        except Exception as error:  # a server without its model must not look alive
            if isinstance(error, ClinicProfileError):  # names the file, the field and the fix; no patient data
                logger.critical("the Rasa server cannot start: %s", error)
            else:
                logger.critical("the Rasa server cannot start (%s)", type(error).__name__, exc_info=error)
            logging.shutdown()
            os._exit(1)

    app.register_listener(load_model, "before_server_start")
    app.register_listener(close_resources, "after_server_stop")
    logger.info("Starting the Rasa server on %s:%s", settings.bind_address(), server.rasa_port)
    return listening.run(app, settings.bind_address(), server.rasa_port)


if __name__ == "__main__":
    sys.exit(main())
