"""What a load run's ledger shows: messages/s, latency percentiles, errors, and lost messages,
checked in the conversation store through the Rasa server's HTTP API (every message sent must
be there exactly once, followed by a reply); and a plot of latency over time."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from bot.runtime.client import RasaClient


@dataclass
class LoadFigures:
    patients: int
    messages: int
    answered: int
    seconds: float
    messages_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    failed_attempts: int  # errors: HTTP 5xx, cut connections; each was sent again
    retried_messages: int
    lost_messages: int  # not answered, or not in the store once with a reply after it
    statuses: Dict[str, int]

    def as_dict(self) -> Dict[str, Any]:
        return asdict(self)

    def lines(self) -> List[str]:
        return [
            f"{self.patients} patients, {self.messages} messages in {self.seconds:.1f} s: "
            f"{self.messages_per_second:.1f} messages/s",
            f"reply latency p50 {self.p50_ms:.0f} ms, p95 {self.p95_ms:.0f} ms, p99 {self.p99_ms:.0f} ms",
            f"errors: {self.failed_attempts} failed request(s) {self.statuses or ''}, "
            f"{self.retried_messages} message(s) sent again; lost: {self.lost_messages}",
        ]


def read_ledger(path: Path) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """The attempts and the messages of a ledger."""
    entries = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [e for e in entries if e["kind"] == "attempt"], [e for e in entries if e["kind"] == "message"]


def lost(client: RasaClient, messages: List[Dict[str, Any]]) -> List[str]:
    """The ids of messages that were not answered, or are not stored exactly once with a reply."""
    by_sender: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
    for message in messages:
        by_sender[message["sender"]].append(message)
    missing = [m["message_id"] for m in messages if not m["answered"]]
    for sender, sent in by_sender.items():
        events = client.tracker(sender)["events"]
        spoken = [e for e in events if e["event"] in ("user", "bot")]
        for message in (m for m in sent if m["answered"]):
            places = [
                i for i, e in enumerate(spoken) if e["event"] == "user" and e.get("message_id") == message["message_id"]
            ]
            replied = len(places) == 1 and places[0] + 1 < len(spoken) and spoken[places[0] + 1]["event"] == "bot"
            if not replied:
                missing.append(message["message_id"])
    return missing


def figures(attempts: List[Dict[str, Any]], messages: List[Dict[str, Any]], lost_ids: List[str]) -> LoadFigures:
    answered = [m for m in messages if m["answered"]]
    latencies = np.array([m["ms"] for m in answered]) if answered else np.array([0.0])
    start = min((m["at"] for m in messages), default=0.0)
    end = max((m["at"] + m["ms"] / 1000 for m in messages), default=0.0)
    seconds = max(end - start, 1e-9)
    statuses: Dict[str, int] = defaultdict(int)
    for attempt in attempts:
        if not attempt["ok"]:
            status = attempt["status"]
            statuses["no reply" if status == 200 else str(status or "no response")] += 1
    return LoadFigures(
        patients=len({m["sender"] for m in messages}),
        messages=len(messages),
        answered=len(answered),
        seconds=round(seconds, 1),
        messages_per_second=round(len(answered) / seconds, 1),
        p50_ms=round(float(np.percentile(latencies, 50)), 1),
        p95_ms=round(float(np.percentile(latencies, 95)), 1),
        p99_ms=round(float(np.percentile(latencies, 99)), 1),
        failed_attempts=sum(statuses.values()),
        retried_messages=sum(1 for m in messages if m["attempts"] > 1),
        lost_messages=len(lost_ids),
        statuses=dict(statuses),
    )


def plot(attempts: List[Dict[str, Any]], path: Path, title: str, marks: Optional[Dict[str, float]] = None) -> None:
    """Every request's latency over the run (failures in red), with named moments (faults) marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    start = min((a["at"] for a in attempts), default=0.0)
    figure, axes = plt.subplots(figsize=(10, 4))
    for ok, colour, label in ((True, "tab:blue", "answered"), (False, "tab:red", "failed, sent again")):
        chosen = [a for a in attempts if a["ok"] is ok]
        axes.scatter([a["at"] - start for a in chosen], [a["ms"] for a in chosen], s=4, c=colour, label=label)
    for name, moment in (marks or {}).items():
        axes.axvline(moment - start, color="grey", linestyle="--")
        axes.annotate(name, (moment - start, axes.get_ylim()[1] * 0.9), rotation=90, fontsize=8)
    axes.set_xlabel("seconds since the start")
    axes.set_ylabel("reply latency (ms)")
    axes.set_title(title)
    axes.legend(loc="upper right")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
