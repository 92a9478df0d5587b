"""The metrics (bot/metrics.py): labels only from known channels and sign kinds, counts, the
console's gauges read when scraped, and who may read /metrics."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any, Dict, Tuple

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from sanic import Sanic
from sanic.compat import Header

from bot import metrics
from bot.names import UNSPECIFIED_SIGN, Channel

TOKEN = "metrics-test-token"
Samples = Dict[Tuple[str, Tuple[Tuple[str, str], ...]], float]


def samples(text: str) -> Samples:
    """A /metrics body's samples: (name, sorted labels) -> value."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def request(ip: str, headers: Dict[str, str] = {}, args: Dict[str, str] = {}) -> Any:
    return SimpleNamespace(ip=ip, headers=Header(headers), args=args)


def test_labels_take_only_known_channels_and_sign_kinds():
    assert metrics.channel(Channel.TELEGRAM) == "telegram"
    assert metrics.channel("rest:patient-7") == metrics.channel("my name is Ann") == metrics.OTHER
    assert metrics.sign_kind("fever", {"fever", "wound"}) == "fever"
    assert metrics.sign_kind(UNSPECIFIED_SIGN, {"fever"}) == UNSPECIFIED_SIGN
    assert metrics.sign_kind("my leg hurts", {"fever"}) == metrics.OTHER


def test_a_reply_is_counted_by_channel_and_outcome_with_its_time():
    before = samples(generate_latest(metrics.RASA).decode())
    metrics.replied(Channel.SLACK, "declined", 0.3)
    metrics.replied("slack:U123", "answered", 0.01)
    after = samples(generate_latest(metrics.RASA).decode())
    assert value(after, "spine_messages_total", channel="slack", outcome="declined") == (
        value(before, "spine_messages_total", channel="slack", outcome="declined") + 1
    )
    assert value(after, "spine_messages_total", channel="other", outcome="answered") == (
        value(before, "spine_messages_total", channel="other", outcome="answered") + 1
    )
    assert value(after, "spine_reply_seconds_count", channel="slack") == (
        value(before, "spine_reply_seconds_count", channel="slack") + 1
    )
    assert value(after, "spine_reply_seconds_bucket", channel="slack", le="0.5") == (
        value(before, "spine_reply_seconds_bucket", channel="slack", le="0.5") + 1
    )
    assert value(after, "spine_reply_seconds_bucket", channel="slack", le="0.25") == (
        value(before, "spine_reply_seconds_bucket", channel="slack", le="0.25")
    )


def test_counted_reads_a_counter_of_the_rasa_server():
    before = metrics.counted("channel_replies", channel="facebook", outcome="unknown")
    metrics.CHANNEL_REPLIES.labels("facebook", "unknown").inc()
    assert metrics.counted("channel_replies", channel="facebook", outcome="unknown") == before + 1


def test_the_served_model_replaces_the_one_before():
    metrics.served("model-a")
    metrics.served("model-b")
    found = samples(generate_latest(metrics.RASA).decode())
    assert value(found, "spine_model_info", model_id="model-b") == 1
    assert ("spine_model_info", (("model_id", "model-a"),)) not in found


def test_every_process_registry_has_the_process_metrics():
    for registry in (metrics.RASA, metrics.ACTIONS, metrics.console_registry(list)):
        assert "process_resident_memory_bytes" in generate_latest(registry).decode()


def test_the_console_gauges_are_read_when_scraped_and_a_failure_leaves_the_rest():
    state = {"open": 1.0}
    registry = metrics.console_registry(lambda: [("alerts_open", "open alerts", state["open"])])
    assert value(samples(generate_latest(registry).decode()), "spine_alerts_open") == 1
    state["open"] = 3.0
    assert value(samples(generate_latest(registry).decode()), "spine_alerts_open") == 3

    def broken() -> list:
        raise ConnectionError("database down")

    text = generate_latest(metrics.console_registry(broken)).decode()
    assert "spine_alerts_open" not in text and "process_resident_memory_bytes" in text


def test_loopback_may_scrape_without_the_token():
    assert metrics.may_scrape(request("127.0.0.1"), TOKEN)
    assert metrics.may_scrape(request("::1"), TOKEN)


def test_another_address_needs_the_token():
    assert not metrics.may_scrape(request("10.1.2.3"), TOKEN)
    assert not metrics.may_scrape(request("10.1.2.3", args={"token": "wrong"}), TOKEN)
    assert metrics.may_scrape(request("10.1.2.3", args={"token": TOKEN}), TOKEN)
    assert metrics.may_scrape(request("10.1.2.3", {"Authorization": f"Bearer {TOKEN}"}), TOKEN)
    assert not metrics.may_scrape(request("10.1.2.3"), "")  # a blank token never matches
    assert not metrics.may_scrape(request("unix-socket"), TOKEN)


def test_a_request_a_proxy_forwarded_is_not_loopback():
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
        assert not metrics.may_scrape(request("127.0.0.1", {header: "203.0.113.9"}), TOKEN)
    assert metrics.may_scrape(request("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, {"token": TOKEN}), TOKEN)


def metrics_handler(registry: CollectorRegistry) -> Any:
    app = Sanic(f"metrics_test_{id(registry)}")
    metrics.add_metrics_route(app, registry, TOKEN)
    [route] = [route for route in app.router.routes if route.path.strip("/") == "metrics"]
    return route.handler


def test_the_route_serves_the_registry_and_refuses_strangers():
    registry = CollectorRegistry()
    Counter("probe", "a test counter", registry=registry).inc()
    handler = metrics_handler(registry)
    served = asyncio.run(handler(request("127.0.0.1")))
    assert served.status == 200 and served.content_type.startswith("text/plain")
    assert value(samples(served.body.decode()), "probe_total") == 1
    refused = asyncio.run(handler(request("192.0.2.7")))
    assert refused.status == 401 and "probe" not in refused.body.decode()
    assert "token" in json.loads(refused.body)["error"]
