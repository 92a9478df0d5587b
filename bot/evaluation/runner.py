"""Sends evaluation conversations to a running assistant and measures its speed.

Every case is a new conversation over POST /webhooks/rest/webhook, exactly as a patient's client
sends it; which responses answered the last turn is read from the tracker.
"""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Sequence

from bot.dev.client import BotReply, RasaClient
from bot.evaluation.cases import Case
from bot.evaluation.judge import judge
from bot.evaluation.metrics import Judged

WORKERS = 4
LATENCY_MESSAGES = 200
LATENCY_CONVERSATION_LENGTH = 10
ACTION_CALLS = 200
BENCHMARKED_ACTION = "action_activity_timing"


def converse(client: RasaClient, case: Case) -> List[BotReply]:
    """Plays the case's turns in a new conversation; the replies to its last turn."""
    sender = f"eval-{uuid.uuid4().hex}"
    for turn in case.turns[:-1]:
        client.send(sender, turn)
    return client.ask(sender, case.turns[-1])


def run_cases(client: RasaClient, cases: Sequence[Case]) -> List[Judged]:
    """Each case judged, in order (conversations run a few at a time, a client per thread)."""
    local = threading.local()

    def run(case: Case) -> List[BotReply]:
        if not hasattr(local, "client"):
            local.client = RasaClient(client.base_url, client.token)
        return converse(local.client, case)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        replies = list(pool.map(run, cases))
    return [(case, judge(case, r)) for case, r in zip(cases, replies)]


def quantiles_ms(timings: Sequence[float]) -> Dict[str, float]:
    cuts = statistics.quantiles(timings, n=100)
    return {"p50_ms": round(cuts[49], 1), "p95_ms": round(cuts[94], 1), "calls": len(timings)}


def reply_latency(client: RasaClient, messages: Sequence[str]) -> Dict[str, float]:
    """Sequential REST round trips, in conversations of several messages."""
    timings = []
    sender = ""
    for i in range(LATENCY_MESSAGES):
        if i % LATENCY_CONVERSATION_LENGTH == 0:
            sender = f"latency-{uuid.uuid4().hex}"
        started = time.perf_counter()
        client.send(sender, messages[i % len(messages)])
        timings.append((time.perf_counter() - started) * 1000)
    return quantiles_ms(timings)


def action_round_trip(client: RasaClient, action_url: str, action_token: str) -> Dict[str, float]:
    """POST /webhook to the action server, with a real tracker and domain as the Rasa server sends them."""
    sender = f"bench-{uuid.uuid4().hex}"
    client.send(sender, "I had a decompression 5 weeks ago")
    client.send(sender, "when can i go swimming?")
    payload = {
        "next_action": BENCHMARKED_ACTION,
        "sender_id": sender,
        "tracker": client.tracker(sender),
        "domain": client.domain(),
        "version": "3.6.21",
    }
    timings = []
    for _ in range(ACTION_CALLS):
        started = time.perf_counter()
        response = client.session.post(
            f"{action_url}/webhook", params={"token": action_token}, json=payload, timeout=30
        )
        response.raise_for_status()
        timings.append((time.perf_counter() - started) * 1000)
    return quantiles_ms(timings)
