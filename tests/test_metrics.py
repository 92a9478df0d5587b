"""The metrics (bot/metrics.py): labels only from known channels and sign kinds, counts, the
console's gauges read when scraped, and who may read /metrics."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any, Dict, Optional, Tuple

import requests
from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from sanic import Sanic
from sanic.compat import Header

from bot import metrics
from bot.names import UNSPECIFIED_SIGN, Channel
from bot.rasa import alerting
from bot.runtime.client import poll_until
from tests.console.test_lost_replies import lose_an_escalation

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


def request(ip: str, headers: Optional[Dict[str, str]] = None, args: Optional[Dict[str, str]] = None) -> Any:
    return SimpleNamespace(ip=ip, headers=Header(headers or {}), args=args or {})


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


# With the session's real servers (bot/runtime/services.py): every scrape is from loopback.


def scrape(url: str, **kwargs: Any) -> Samples:
    reply = requests.get(f"{url}/metrics", timeout=30, **kwargs)
    assert reply.status_code == 200, reply.text
    return samples(reply.text)


def test_the_rasa_server_counts_a_rest_message_by_channel_and_outcome_and_serves_its_model_id(
    assistant, client, sender
):
    client.send(sender, "hello")  # the conversation's disclaimer comes first: not counted as an outcome
    before = scrape(assistant.rasa_url)
    replies = client.ask(sender, "how much does a spinal fusion cost without insurance")
    assert replies[-1].utter_action == "utter_out_of_scope"
    after = scrape(assistant.rasa_url)
    declined = {"channel": "rest", "outcome": "declined"}
    assert value(after, "spine_messages_total", **declined) == value(before, "spine_messages_total", **declined) + 1
    count = ("spine_reply_seconds_count", {"channel": "rest"})
    assert value(after, count[0], **count[1]) == value(before, count[0], **count[1]) + 1
    assert value(after, "spine_reply_seconds_sum", channel="rest") > value(
        before, "spine_reply_seconds_sum", channel="rest"
    )
    model_id = requests.get(f"{assistant.rasa_url}/status", params={"token": assistant.token}, timeout=10).json()
    assert value(after, "spine_model_info", model_id=model_id["model_id"]) == 1


def test_an_escalation_is_counted_by_its_sign_kind(assistant, client, sender):
    def escalations(found: Samples) -> Dict[str, float]:
        return {
            dict(labels)["sign"]: v
            for (name, labels), v in found.items()
            if name == "spine_escalations_total" and dict(labels)["channel"] == "rest"
        }

    before = scrape(assistant.rasa_url)
    replies = client.ask(sender, "i peed myself and didnt even feel it")
    assert replies[-1].utter_action == "utter_red_flag_emergency"
    found: Dict[str, Samples] = {}

    def counted() -> bool:  # the alert is raised after the conversation is saved
        found["after"] = scrape(assistant.rasa_url)
        return sum(escalations(found["after"]).values()) == sum(escalations(before).values()) + 1

    poll_until(counted, 30, "the escalation counted")
    escalated = {"channel": "rest", "outcome": "escalated"}
    after = found["after"]
    assert value(after, "spine_messages_total", **escalated) == value(before, "spine_messages_total", **escalated) + 1
    assert set(escalations(after)) <= alerting.sign_ids() | {UNSPECIFIED_SIGN}


def test_a_lost_escalation_is_counted_where_it_is_lost_and_waits_in_the_console(assistant, provider_api):
    before = scrape(assistant.rasa_url)
    lose_an_escalation(assistant, provider_api)
    found: Dict[str, Samples] = {}

    def counted() -> bool:
        found["after"] = scrape(assistant.rasa_url)
        return value(found["after"], "spine_lost_escalations_total", channel="telegram") > value(
            before, "spine_lost_escalations_total", channel="telegram"
        )

    poll_until(counted, 30, "the lost escalation counted")
    failed = {"channel": "telegram", "outcome": "failed"}
    assert value(found["after"], "spine_channel_replies_total", **failed) > value(
        before, "spine_channel_replies_total", **failed
    )
    console = scrape(assistant.console_url)
    assert value(console, "spine_lost_escalation_replies") >= 1
    assert value(console, "spine_lost_replies") >= value(console, "spine_lost_escalation_replies")
    assert ("spine_alerts_open", ()) in console and ("spine_alerts_unresolved", ()) in console


def test_the_action_server_counts_its_calls(assistant, client, sender):
    before = scrape(assistant.action_url)
    client.send(sender, "how long is recovery after a lumbar fusion")
    after = scrape(assistant.action_url)
    assert value(after, "spine_action_calls_total", outcome="ok") > value(
        before, "spine_action_calls_total", outcome="ok"
    )
    assert value(after, "spine_action_seconds_count") > value(before, "spine_action_seconds_count")


def test_no_message_text_or_sender_in_any_metrics(assistant, client):
    sender, text = "zebra-sender-7731", "my quokka-4418 incision is oozing since tuesday"
    client.send(sender, text)
    client.send(sender, "how much does quokka-4418 cost")
    for url in (assistant.rasa_url, assistant.action_url, assistant.console_url):
        body = requests.get(f"{url}/metrics", timeout=30).text
        assert "spine_" in body
        assert "zebra" not in body and "quokka" not in body and "oozing" not in body


def test_a_request_a_proxy_forwarded_needs_the_token(assistant):
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    for url, token in (
        (assistant.rasa_url, assistant.token),
        (assistant.console_url, assistant.token),
        (assistant.action_url, assistant.env["actions"]["ACTION_TOKEN"]),
    ):
        assert requests.get(f"{url}/metrics", headers=forwarded, timeout=30).status_code == 401
        assert (
            requests.get(f"{url}/metrics", headers=forwarded, params={"token": "wrong"}, timeout=30).status_code == 401
        )
        assert scrape(url, headers={**forwarded, "Authorization": f"Bearer {token}"})
