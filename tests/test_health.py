"""/health and /ready (bot/health.py): the readiness checks, and a database that hangs holding
one query at most."""

from __future__ import annotations

import asyncio
import json
import threading
from types import SimpleNamespace
from typing import Any, Optional

import pytest
import requests
from sanic import Sanic
from sqlalchemy import create_engine

from bot import health


def app_with(agent: Any) -> Any:
    return SimpleNamespace(ctx=SimpleNamespace(agent=agent) if agent != "none" else SimpleNamespace())


def test_ready_needs_a_loaded_model():
    assert asyncio.run(health.model_loaded(app_with("none"))) == "no model loaded"
    assert asyncio.run(health.model_loaded(app_with(None))) == "no model loaded"
    assert asyncio.run(health.model_loaded(app_with(SimpleNamespace(is_ready=lambda: False)))) == "no model loaded"
    assert asyncio.run(health.model_loaded(app_with(SimpleNamespace(is_ready=lambda: True)))) is None


def test_ready_needs_the_database_to_answer(tmp_path):
    answering = create_engine(f"sqlite:///{tmp_path / 'ok.db'}")
    assert asyncio.run(health.database_answers(lambda: answering)(None)) is None
    missing = create_engine(f"sqlite:///{tmp_path / 'no-such-directory' / 'x.db'}")
    reason = asyncio.run(health.database_answers(lambda: missing)(None))
    assert reason == "the conversation database fails (OperationalError)"


def test_a_hanging_database_holds_one_query_and_is_not_ready(monkeypatch):
    monkeypatch.setattr(health, "READY_TIMEOUT_SECONDS", 0.1)
    release, calls = threading.Event(), []

    def hanging() -> Any:
        calls.append(1)
        release.wait(10)
        raise TimeoutError("no answer")

    check = health.database_answers(hanging)

    async def probe_twice() -> list:
        try:
            return [await check(None), await check(None)]
        finally:
            release.set()  # so the thread ends before asyncio.run waits for it

    assert asyncio.run(probe_twice()) == ["the conversation database does not answer"] * 2
    assert len(calls) == 1


def handlers(*checks: health.Check) -> Any:
    app = Sanic(f"health_test_{len(checks)}_{id(checks)}")
    health.add_health_routes(app, *checks)
    return {route.path.strip("/"): route.handler for route in app.router.routes}


async def not_ready(_: Any) -> Optional[str]:
    return "no model loaded"


async def ready(_: Any) -> Optional[str]:
    return None


@pytest.mark.parametrize(
    "checks, status, body",
    [
        ((ready, ready), 200, {"status": "ready"}),
        ((ready, not_ready), 503, {"status": "not ready", "reason": "no model loaded"}),
    ],
)
def test_ready_answers_503_with_the_reason(checks, status, body):
    routes = handlers(*checks)
    request = SimpleNamespace(app=None)
    reply = asyncio.run(routes["ready"](request))
    assert (reply.status, json.loads(reply.body)) == (status, body)
    alive = asyncio.run(routes["health"](request))
    assert (alive.status, json.loads(alive.body)) == (200, {"status": "ok"})


def test_every_process_answers_health_and_the_rasa_server_and_console_ready(assistant):
    for url in (assistant.rasa_url, assistant.console_url, assistant.action_url):
        assert requests.get(f"{url}/health", timeout=10).status_code == 200, url
    for url in (assistant.rasa_url, assistant.console_url):
        reply = requests.get(f"{url}/ready", timeout=10)  # no token: load balancers have none
        assert (reply.status_code, reply.json()) == (200, {"status": "ready"}), url
