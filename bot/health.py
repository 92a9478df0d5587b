"""`GET /health` and `GET /ready` of a process, for load balancers and orchestrators, open without
a token and saying nothing about patients.

/health: the process is up (200). /ready: 200 when every readiness check passes, else 503 with
the first check's reason, e.g. no model loaded, or the conversation database not answering within
READY_TIMEOUT_SECONDS. A database that hangs holds at most one readiness query: while it is still
running, the next probe is answered 503 without starting another.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Optional

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import text
from sqlalchemy.engine import Engine

READY_TIMEOUT_SECONDS = 2.0

Check = Callable[[Any], Awaitable[Optional[str]]]  # the app -> why it is not ready, or None


def ping(engine: Callable[[], Engine]) -> None:
    with engine().connect() as connection:
        connection.execute(text("SELECT 1"))


def database_answers(engine: Callable[[], Engine]) -> Check:
    """A check that the conversation database answers a query (`engine` gives its engine)."""
    running: Optional["asyncio.Future[None]"] = None

    async def check(_: Any) -> Optional[str]:
        nonlocal running
        if running is None or running.done():
            running = asyncio.get_running_loop().run_in_executor(None, ping, engine)
            running.add_done_callback(lambda done: done.cancelled() or done.exception())  # seen, if no probe waits
        try:
            await asyncio.wait_for(asyncio.shield(running), READY_TIMEOUT_SECONDS)
        except asyncio.TimeoutError:
            return "the conversation database does not answer"
        except Exception as error:  # its message may name hosts and users: the type only
            return f"the conversation database fails ({type(error).__name__})"
        return None

    return check


async def model_loaded(app: Any) -> Optional[str]:
    """A check that the Rasa server has a model to answer with."""
    agent = getattr(app.ctx, "agent", None)
    return None if agent is not None and agent.is_ready() else "no model loaded"


def add_health_routes(app: Any, *checks: Check) -> None:
    """GET /health, and GET /ready running `checks` in order."""

    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    async def ready(request: Request) -> HTTPResponse:
        for check in checks:
            reason = await check(request.app)
            if reason:
                return response.json({"status": "not ready", "reason": reason}, status=503)
        return response.json({"status": "ready"})

    app.add_route(health, "/health", methods=["GET"], name="health")
    app.add_route(ready, "/ready", methods=["GET"], name="ready")
