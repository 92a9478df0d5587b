"""Promotion swaps the model on every Rasa replica (RASA_REPLICA_URLS), or on none: when one
replica fails, those already swapped go back to the model they served."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import List, Tuple

import pytest

from bot.console.models import SwapFailed, swap
from bot.rasa.model_registry import Model

NEW = Model("new", Path("/models/new.tar.gz"), 0.0, "test", "test", None, None)
SERVING = Model("serving", Path("/models/serving.tar.gz"), 0.0, "test", "test", None, None)


def replica(status: int) -> Tuple[ThreadingHTTPServer, List[str]]:
    """A stand-in for a Rasa server's POST /assistant/model that records the paths it was sent."""
    loaded: List[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            loaded.append(json.loads(self.rfile.read(int(self.headers["Content-Length"])))["path"])
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, loaded


def use(monkeypatch: pytest.MonkeyPatch, *ports: int) -> None:
    monkeypatch.setenv("RASA_REPLICA_URLS", ",".join(f"http://127.0.0.1:{port}" for port in ports))
    monkeypatch.setenv("RASA_AUTH_TOKEN", "token")


def test_every_replica_serves_the_promoted_model(monkeypatch):
    (first, first_loaded), (second, second_loaded) = replica(200), replica(200)
    use(monkeypatch, first.server_address[1], second.server_address[1])
    swap(NEW, SERVING)
    assert first_loaded == second_loaded == [str(NEW.path)]
    first.shutdown(), second.shutdown()


def test_when_one_replica_fails_the_others_go_back(monkeypatch):
    (good, good_loaded), (bad, bad_loaded) = replica(200), replica(500)
    use(monkeypatch, good.server_address[1], bad.server_address[1])
    with pytest.raises(SwapFailed):
        swap(NEW, SERVING)
    assert good_loaded == [str(NEW.path), str(SERVING.path)]
    assert bad_loaded == [str(NEW.path)]
    good.shutdown(), bad.shutdown()
