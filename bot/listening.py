"""Runs a Sanic server (Rasa server, action server, staff console) on its port, binding the port
first: a port in use then stops the process at once, with the reason in its log ("[Errno 98]
Address already in use") and exit code 1. Left to Sanic 21.12, the process would start (the Rasa
server would load its model), log "Unable to start server" and exit 0 as if stopped normally.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

logger = logging.getLogger(__name__)


def bound_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port (not yet listening: Sanic listens on it); OSError if the
    address cannot be bound."""
    family, kind, protocol, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    bound = socket.socket(family, kind, protocol)
    bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as asyncio sets it: restarts reuse the port
    try:
        bound.bind(address)
    except OSError:
        bound.close()
        raise
    return bound


def run(app: Any, host: str, port: int) -> int:
    """Serves the Sanic `app` on host:port (one worker, no access log) until stopped: 0, or 1 if
    the port could not be bound."""
    try:
        bound = bound_socket(host, port)
    except OSError:
        logger.critical("%s cannot listen on %s:%s", app.name, host, port, exc_info=True)
        return 1
    app.run(host=host, port=port, sock=bound, workers=1, access_log=False)
    return 0
