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
from pathlib import Path
from typing import Collection, Dict, List, Sequence

from bot.evaluation.cases import Case
from bot.evaluation.judge import judge
from bot.evaluation.metrics import Judged
from bot.runtime.client import BotReply, RasaClient

WORKERS = 4
LATENCY_MESSAGES = 200
LATENCY_CONVERSATION_LENGTH = 10
ACTION_CALLS = 200
BENCHMARKED_ACTION = "action_activity_timing"


def converse(client: RasaClient, turns: Sequence[str], judged: Collection[int]) -> Dict[int, List[BotReply]]:
    """Plays the turns in a new conversation; the replies to each judged turn (by index)."""
    sender = f"eval-{uuid.uuid4().hex}"
    replies: Dict[int, List[BotReply]] = {}
    for index, turn in enumerate(turns):
        if index in judged:
            replies[index] = client.ask(sender, turn)
        else:
            client.send(sender, turn)
    return replies


def conversations(cases: Sequence[Case]) -> List[List[Case]]:
    """The cases grouped by conversation (each group's longest case holds every turn), in order."""
    groups: Dict[str, List[Case]] = {}
    for case in cases:
        groups.setdefault(case.conversation_id, []).append(case)
    for group in groups.values():
        longest = max(group, key=lambda c: len(c.turns))
        if any(c.turns != longest.turns[: len(c.turns)] for c in group):
            raise ValueError(f"cases of conversation {group[0].conversation_id} are not turns of one conversation")
    return list(groups.values())


def run_cases(client: RasaClient, cases: Sequence[Case]) -> List[Judged]:
    """Each case judged, in order: every conversation played once (a few at a time, a client per
    thread), every labelled turn of it judged."""
    local = threading.local()

    def run(group: List[Case]) -> List[Judged]:
        if not hasattr(local, "client"):
            local.client = RasaClient(client.base_url, client.token)
        turns = max(group, key=lambda c: len(c.turns)).turns
        replies = converse(local.client, turns, {len(c.turns) - 1 for c in group})
        return [(c, judge(c, replies[len(c.turns) - 1])) for c in group]

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        judged = [pair for group in pool.map(run, conversations(cases)) for pair in group]
    order = {id(case): i for i, case in enumerate(cases)}
    return sorted(judged, key=lambda pair: order[id(pair[0])])


def resident_mb(pid: int) -> float:
    """A process's resident memory, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 0)
    return 0.0


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
