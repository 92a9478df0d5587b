"""Prometheus metrics (prometheus-client), defined once here for every process, and the
`GET /metrics` route that serves a process's own.

Each process has its registry: the Rasa server's (every replica its own), the action server's, and
the staff console's, made per app from the conversation database. `/metrics` answers a scraper on
loopback without a token, and anyone else only with the process's token (`Authorization: Bearer` or
`?token=`): a request a proxy forwarded (it carries X-Forwarded-For, Forwarded or X-Real-IP) is
not on loopback, whatever the proxy's own address. Labels are channels, outcomes, warning-sign
kinds and the model id: never patient text, a sender or a conversation id (docs/operations.md,
"Monitoring", names each metric).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from typing import Any, Callable, Iterable, Iterator, Tuple

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, Info, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.names import UNSPECIFIED_SIGN, Channel, declared
from bot.rasa.channels import has_token

logger = logging.getLogger(__name__)

NAMESPACE = "spine"
OTHER = "other"  # a channel or sign kind outside the known ones (a label never takes a value a client chose)
NO_REPLY = "no_reply"  # a message kept for the staff, or a check-in STOP / START: nothing sent back
ERROR = "error"  # handling the message failed
ACTION_OK, ACTION_FAILED = "ok", "failed"
REPLY_SECONDS_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
FORWARDED_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")
CHANNELS = declared(Channel)


def with_process_metrics(registry: CollectorRegistry) -> CollectorRegistry:
    """The registry with the process's own metrics added (memory, CPU, open files, Python, GC)."""
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    return registry


# The Rasa server's metrics.
RASA = with_process_metrics(CollectorRegistry())
MESSAGES = Counter(
    "messages",
    "Patient messages answered, by channel and outcome (bot/outcomes.py; no_reply, error)",
    ["channel", "outcome"],
    namespace=NAMESPACE,
    registry=RASA,
)
REPLY_SECONDS = Histogram(
    "reply_seconds",
    "Seconds from a message reaching the assistant to its replies handed to the channel",
    ["channel"],
    namespace=NAMESPACE,
    registry=RASA,
    buckets=REPLY_SECONDS_BUCKETS,
)
ESCALATIONS = Counter(
    "escalations",
    "Escalations recorded as staff alerts (a warning sign), by channel and sign kind",
    ["channel", "sign"],
    namespace=NAMESPACE,
    registry=RASA,
)
ALERT_PAGES = Counter(
    "alert_pages",
    "Pages of a staff alert to the escalation list, by outcome (sent, failed)",
    ["outcome"],
    namespace=NAMESPACE,
    registry=RASA,
)
CHANNEL_REPLIES = Counter(
    "channel_replies",
    "Replies of the messaging channels by what became of them (sent; lost: failed, unknown)",
    ["channel", "outcome"],
    namespace=NAMESPACE,
    registry=RASA,
)
CHANNEL_RETRIES = Counter(
    "channel_retries",
    "Replies sent again after the provider was unreachable",
    ["channel"],
    namespace=NAMESPACE,
    registry=RASA,
)
LOST_ESCALATIONS = Counter(
    "lost_escalations",
    "Escalation replies lost (failed or unknown): the patient may not have their warning-sign reply",
    ["channel"],
    namespace=NAMESPACE,
    registry=RASA,
)
DELIVERIES = Counter(
    "webhook_deliveries",
    "Provider deliveries not processed as new: duplicate (ignored), unchecked (the database was down)",
    ["channel", "outcome"],
    namespace=NAMESPACE,
    registry=RASA,
)
MODEL = Info("model", "The model the server answers with", namespace=NAMESPACE, registry=RASA)

# The action server's metrics.
ACTIONS = with_process_metrics(CollectorRegistry())
ACTION_CALLS = Counter(
    "action_calls",
    "Custom action calls from the Rasa server, by outcome (ok, failed)",
    ["outcome"],
    namespace=NAMESPACE,
    registry=ACTIONS,
)
ACTION_SECONDS = Histogram("action_seconds", "Seconds a custom action call took", namespace=NAMESPACE, registry=ACTIONS)


def channel(name: str) -> str:
    """A channel's label: its name if it is one of the project's channels, else OTHER."""
    return name if name in CHANNELS else OTHER


def sign_kind(sign: str, known: Iterable[str]) -> str:
    """A warning sign's label: its id if it is a known sign (or unspecified), else OTHER."""
    return sign if sign == UNSPECIFIED_SIGN or sign in known else OTHER


def replied(channel_name: str, outcome: str, seconds: float) -> None:
    """Counts a message the assistant handled and how long it took."""
    label = channel(channel_name)
    MESSAGES.labels(label, outcome).inc()
    REPLY_SECONDS.labels(label).observe(seconds)


def action_called(ok: bool, seconds: float) -> None:
    """Counts a custom action call (failed: an error, or the action refused or not found) and its time."""
    ACTION_CALLS.labels(ACTION_OK if ok else ACTION_FAILED).inc()
    ACTION_SECONDS.observe(seconds)


def served(model_id: str) -> None:
    """The model the server now answers with."""
    MODEL.info({"model_id": model_id})


def counted(name: str, **labels: str) -> int:
    """How many the Rasa server's counter `name` (without the namespace) has counted for these
    labels since the process started."""
    return int(RASA.get_sample_value(f"{NAMESPACE}_{name}_total", labels) or 0)


class Gauges(Collector):
    """Gauges read when scraped: `read` gives (name, help, value) of each."""

    def __init__(self, read: Callable[[], Iterable[Tuple[str, str, float]]]) -> None:
        self.read = read

    def collect(self) -> Iterator[Metric]:
        try:
            gauges = list(self.read())
        except Exception as error:  # the database is down: the scrape still has the process's metrics
            logger.error("metrics: the gauges could not be read (%s)", type(error).__name__)
            return
        for name, help_text, value in gauges:
            yield GaugeMetricFamily(f"{NAMESPACE}_{name}", help_text, value=value)


def console_registry(read: Callable[[], Iterable[Tuple[str, str, float]]]) -> CollectorRegistry:
    """The staff console's registry: what waits for the staff, read from the database when scraped."""
    registry = with_process_metrics(CollectorRegistry())
    registry.register(Gauges(read))
    return registry


def is_loopback(request: Request) -> bool:
    """Whether the request came straight from this machine (not forwarded by a proxy on it)."""
    if any(header in request.headers for header in FORWARDED_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.ip).is_loopback
    except ValueError:
        return False


def may_scrape(request: Request, token: str) -> bool:
    """Whether a request may read the metrics: from loopback, or with the process's token."""
    return is_loopback(request) or has_token(request, token)


def add_metrics_route(app: Any, registry: CollectorRegistry, token: str) -> None:
    """GET /metrics: the registry in Prometheus's text format, for loopback or the token."""

    async def metrics(request: Request) -> HTTPResponse:
        if not may_scrape(request, token):
            return response.json({"error": "metrics answer loopback, or requests with the process's token"}, 401)
        text = await asyncio.get_running_loop().run_in_executor(None, generate_latest, registry)
        return response.raw(text, content_type=CONTENT_TYPE_LATEST)

    app.add_route(metrics, "/metrics", methods=["GET"], name="metrics")
