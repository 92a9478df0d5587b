"""Serves the demo clinic page and the widget on WEB_PORT (`make run`).

/ is web/demo/index.html with the Rasa server's URL filled in; /widget/spine-chat.js is the built
widget. A clinic serves the widget file from its own site or from the Rasa host instead.
"""

from __future__ import annotations

import logging
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional, Tuple

from bot import logs, settings

logger = logging.getLogger(__name__)

WEB_DIR = settings.PROJECT_ROOT / "web"
WIDGET_FILE = WEB_DIR / "dist" / "spine-chat.js"
DEMO_PAGE = WEB_DIR / "demo" / "index.html"


class DemoHandler(BaseHTTPRequestHandler):
    def _resource(self) -> Optional[Tuple[bytes, str]]:
        """The body and content type at the requested path, or None."""
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            page = DEMO_PAGE.read_text(encoding="utf-8").replace("__RASA_URL__", settings.rasa_public_url())
            return page.encode(), "text/html; charset=utf-8"
        if path == "/widget/spine-chat.js":
            return WIDGET_FILE.read_bytes(), "text/javascript; charset=utf-8"
        return None

    def _respond(self, with_body: bool) -> None:
        resource = self._resource()
        if resource is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        body, content_type = resource
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._respond(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(with_body=False)

    def log_message(self, *args: Any) -> None:
        """No access log: page paths are not patient data, but there is nothing worth keeping."""


def main() -> int:
    logs.configure()
    if not WIDGET_FILE.is_file():
        logger.critical("%s is missing: run `make widget`", WIDGET_FILE)
        return 1
    host, port = settings.bind_address(), settings.server_settings().web_port
    try:
        server = ThreadingHTTPServer((host, port), DemoHandler)
    except OSError:
        logger.critical("the demo page cannot listen on %s:%s", host, port, exc_info=True)
        return 1
    logger.info("Demo page on http://localhost:%s", port)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
