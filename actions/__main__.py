"""The action server (`python -m actions`): rasa_sdk's, closed to everyone but the Rasa server.

It listens on loopback only (ACTION_BIND_ADDRESS to change), answers only requests that carry
the ACTION_TOKEN the Rasa server sends, and an action's error is answered without echoing the
request (rasa_sdk's own handler returns the whole tracker, which Rasa would then log). `GET /health`
is rasa_sdk's; `GET /metrics` (bot/metrics.py: action calls and their time) answers loopback, or
the ACTION_TOKEN.
"""

from __future__ import annotations

import hmac
import logging
import sys
import time
from typing import Optional

from bot import listening, logs, metrics, settings

logger = logging.getLogger(__name__)


def main() -> int:
    logs.configure()
    from rasa_sdk.endpoint import create_app
    from sanic import response
    from sanic.request import Request
    from sanic.response import HTTPResponse

    server = settings.server_settings()
    app = create_app("actions", cors_origins=None)
    logs.configure()  # again: creating the Sanic app installed Sanic's own log handlers

    @app.middleware("request")
    async def require_token(request: Request) -> Optional[HTTPResponse]:
        request.ctx.started = time.perf_counter()
        if request.path in ("/health", "/metrics"):  # /metrics checks its own
            return None
        if not hmac.compare_digest(request.args.get("token", ""), server.action_token):
            return response.json({"error": "unauthorised"}, status=401)
        return None

    @app.middleware("response")
    async def count_calls(request: Request, reply: HTTPResponse) -> None:
        if request.path == "/webhook" and reply.status != 401:
            metrics.action_called(reply.status < 400, time.perf_counter() - request.ctx.started)

    async def without_the_request(request: Request, exception: Exception) -> HTTPResponse:
        logger.error("action failed (%s)", type(exception).__name__, exc_info=exception)
        return response.json({"error": "the action failed"}, status=500)

    app.error_handler.add(Exception, without_the_request)
    metrics.add_metrics_route(app, metrics.ACTIONS, server.action_token)
    return listening.run(app, settings.action_bind_address(), server.action_port)


if __name__ == "__main__":
    sys.exit(main())
