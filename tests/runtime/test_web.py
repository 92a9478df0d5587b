"""The demo page's web server (bot/runtime/web.py), in-process on a free port."""

import threading
from http.server import ThreadingHTTPServer
from typing import Iterator

import pytest
import requests

from bot.runtime.services import free_port
from bot.runtime.web import DemoHandler


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("RASA_PUBLIC_URL", "https://chat.clinic.example")
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), DemoHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_demo_page_points_the_widget_at_the_rasa_server(web):
    page = requests.get(f"{web}/", timeout=5)
    assert page.headers["Content-Type"].startswith("text/html")
    assert 'serverUrl: "https://chat.clinic.example"' in page.text
    assert '<script src="/widget/spine-chat.js"' in page.text
    assert "__RASA_URL__" not in page.text


def test_widget_script_is_served_and_head_works(web):
    script = requests.get(f"{web}/widget/spine-chat.js", timeout=5)
    assert script.ok and script.headers["Content-Type"].startswith("text/javascript")
    head = requests.head(f"{web}/widget/spine-chat.js", timeout=5)
    assert head.ok and head.content == b"" and int(head.headers["Content-Length"]) == len(script.content)


def test_other_paths_are_not_found(web):
    assert requests.get(f"{web}/../credentials.yml", timeout=5).status_code == 404
    assert requests.get(f"{web}/web/src/widget.js", timeout=5).status_code == 404
