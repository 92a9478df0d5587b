"""`make evaluate`: measures the running assistant against the issue's targets.

Starts the real Rasa and action servers (isolated ports), sends every evaluation message over
POST /webhooks/rest/webhook exactly as a patient's client would, reads which responses answered
it from the tracker, and writes reports/evaluation.json plus a table, also placed in README.md
between the evaluation markers.

Data (never trained on): tests/data/heldout_nlu.yml, heldout_timelines.yml, red_flags.yml,
ordinary_questions.yml, near_domain_oos.yml, and the CLINC150 test split.

`python -m bot.evaluation --speed` (make bench) measures only the latencies and prints them.
"""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

import yaml

from bot import clinc, settings
from bot.client import BotReply, RasaClient
from bot.services import isolated_settings, running_services
from bot.training_data import read_nlu_examples

TEST_DATA = settings.PROJECT_ROOT / "tests" / "data"
REPORT_FILE = settings.PROJECT_ROOT / "reports" / "evaluation.json"
README = settings.PROJECT_ROOT / "README.md"
TRAINING_TIME_FILE = settings.PROJECT_ROOT / "build" / "training-seconds.txt"
README_START, README_END = "<!-- evaluation:start -->", "<!-- evaluation:end -->"

RED_FLAG_PREFIX = "utter_red_flag"
DECLINES = {
    "utter_out_of_scope", "utter_default", "utter_ask_rephrase", "utter_ask_affirmation",
    "utter_activity_not_covered", "utter_activity_unknown",
}
NOT_AN_ANSWER = {"utter_disclaimer"}
EXPECTED_PREFIX = {
    "greet": ("utter_greet",),
    "goodbye": ("utter_goodbye",),
    "thank": ("utter_you_are_welcome",),
    "bot_challenge": ("utter_bot_challenge",),
    "human_handoff": ("utter_human_handoff",),
    "ask_recovery_time": ("utter_timeline_", "utter_ask_procedure"),
    "ask_recovery_stage": ("utter_timeline_stage", "utter_ask_surgery_time", "utter_surgery_in_future", "utter_time_"),
    "ask_activity": ("utter_activity_",),
    "inform": ("utter_timeline_", "utter_activity_", "utter_ask_rephrase"),
}
LATENCY_MESSAGES = 200
LATENCY_CONVERSATION_LENGTH = 10
ACTION_CALLS = 200
BENCHMARKED_ACTION = "action_activity_timing"


def answers(replies: Sequence[BotReply]) -> List[str]:
    return [r.utter_action or "" for r in replies if r.utter_action not in NOT_AN_ANSWER]


def escalated(replies: Sequence[BotReply]) -> bool:
    return any(a.startswith(RED_FLAG_PREFIX) for a in answers(replies))


def declined(replies: Sequence[BotReply]) -> bool:
    given = answers(replies)
    return bool(given) and all(a in DECLINES for a in given)


@dataclass
class Rate:
    hits: int = 0
    total: int = 0
    misses: List[str] = field(default_factory=list)

    def add(self, hit: bool, example: str) -> None:
        self.total += 1
        self.hits += hit
        if not hit:
            self.misses.append(example)

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 0.0


def ask_each(client: RasaClient, messages: Sequence[str]) -> List[List[BotReply]]:
    """Each message as the first message of a new conversation."""
    return [client.ask(f"eval-{uuid.uuid4().hex}", message) for message in messages]


def heldout(client: RasaClient) -> Dict[str, Rate]:
    examples = read_nlu_examples([TEST_DATA / "heldout_nlu.yml"])
    intent, response, non_faq, escalations = Rate(), Rate(), Rate(), Rate()
    for name, messages in examples.items():
        for message, replies in zip(messages, ask_each(client, messages)):
            parsed = client.parse(message)["intent"]
            predicted = parsed.get("full_retrieval_intent_name") or parsed["name"]
            intent.add(predicted.split("/")[0] == name.split("/")[0], f"{name}: {message} -> {predicted}")
            given = answers(replies)
            escalations.add(not escalated(replies), f"{name}: {message}")
            if name.startswith("faq/"):
                response.add(f"utter_{name}" in given, f"{name}: {message} -> {given}")
            else:
                ok = any(a.startswith(EXPECTED_PREFIX[name]) for a in given)
                non_faq.add(ok, f"{name}: {message} -> {given}")
    return {"intent": intent, "response": response, "non_faq": non_faq, "not_escalated": escalations}


def red_flags(client: RasaClient) -> Dict[str, Rate]:
    cases = yaml.safe_load((TEST_DATA / "red_flags.yml").read_text(encoding="utf-8"))["red_flags"]
    recall, emergency = Rate(), Rate()
    for case, replies in zip(cases, ask_each(client, [c["text"] for c in cases])):
        recall.add(escalated(replies), case["text"])
        if case["severity"] == "emergency":
            emergency.add("utter_red_flag_emergency" in answers(replies), case["text"])
    return {"recall": recall, "emergency": emergency}


def rate_of(client: RasaClient, messages: Sequence[str], judge: Callable[[Sequence[BotReply]], bool]) -> Rate:
    rate = Rate()
    for message, replies in zip(messages, ask_each(client, messages)):
        rate.add(judge(replies), f"{message} -> {answers(replies)}")
    return rate


def latency(client: RasaClient) -> Dict[str, float]:
    """Sequential POST /webhooks/rest/webhook round trips, in conversations of several messages."""
    examples = [m for messages in read_nlu_examples([TEST_DATA / "heldout_nlu.yml"]).values() for m in messages]
    timings = []
    sender = ""
    for i in range(LATENCY_MESSAGES):
        if i % LATENCY_CONVERSATION_LENGTH == 0:
            sender = f"latency-{uuid.uuid4().hex}"
        started = time.perf_counter()
        client.send(sender, examples[i % len(examples)])
        timings.append((time.perf_counter() - started) * 1000)
    return quantiles_ms(timings)


def timelines(client: RasaClient) -> Rate:
    """Held-out timeline conversations: the last reply is the expected response with the right window."""
    cases = yaml.safe_load((TEST_DATA / "heldout_timelines.yml").read_text(encoding="utf-8"))["cases"]
    rate = Rate()
    for case in cases:
        sender = f"eval-{uuid.uuid4().hex}"
        for turn in case["turns"]:
            replies = client.ask(sender, turn)
        expected = case["expect"]
        responses = expected["response"] if isinstance(expected["response"], list) else [expected["response"]]
        hit = any(
            r.utter_action in responses and all(c in r.text for c in expected.get("contains", []))
            for r in replies
        )
        rate.add(hit, f"{case['turns']} -> {[(r.utter_action, r.text) for r in replies]}")
    return rate


def quantiles_ms(timings: Sequence[float]) -> Dict[str, float]:
    cuts = statistics.quantiles(timings, n=100)
    return {"p50_ms": round(cuts[49], 1), "p95_ms": round(cuts[94], 1), "calls": len(timings)}


def action_round_trip(client: RasaClient, action_url: str) -> Dict[str, float]:
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
        response = client.session.post(f"{action_url}/webhook", json=payload, timeout=30)
        response.raise_for_status()
        timings.append((time.perf_counter() - started) * 1000)
    return quantiles_ms(timings)


def training_seconds() -> Optional[float]:
    try:
        return float(TRAINING_TIME_FILE.read_text().strip())
    except (OSError, ValueError):
        return None


def row(metric: str, value: str, target: str, met: Optional[bool]) -> str:
    verdict = {True: "met", False: "**not met**", None: "-"}[met]
    return f"| {metric} | {value} | {target} | {verdict} |"


def table(report: Dict) -> str:
    pct = lambda r: f"{r['value']:.1%} ({r['hits']}/{r['total']})"  # noqa: E731
    h, rf = report["heldout"], report["red_flags"]
    false_escalation = 1 - report["ordinary_not_escalated"]["value"]
    train = report["training_seconds"]
    lines = [
        "| metric | measured | target | |",
        "| --- | --- | --- | --- |",
        row("held-out intent accuracy", pct(h["intent"]), "-", None),
        row("held-out FAQ response-selection accuracy", pct(h["response"]), ">= 95%", h["response"]["value"] >= 0.95),
        row("held-out non-FAQ intents answered right", pct(h["non_faq"]), "-", None),
        row("red-flag recall", pct(rf["recall"]), "100%", rf["recall"]["value"] == 1.0),
        row("emergency red flags sent to emergency care", pct(rf["emergency"]), "-", None),
        row(
            "false escalations on ordinary questions",
            f"{false_escalation:.1%} ({report['ordinary_not_escalated']['total'] - report['ordinary_not_escalated']['hits']}"
            f"/{report['ordinary_not_escalated']['total']})",
            "<= 2%",
            false_escalation <= 0.02,
        ),
        row("CLINC150 test split declined", pct(report["clinc_declined"]), ">= 97%", report["clinc_declined"]["value"] >= 0.97),
        row("near-domain uncovered questions declined", pct(report["near_domain_declined"]), ">= 90%", report["near_domain_declined"]["value"] >= 0.90),
        row("timeline questions answered with the right window", pct(report["timelines"]), ">= 95%", report["timelines"]["value"] >= 0.95),
        row("training time", f"{train:.0f} s" if train else "not recorded", "<= 180 s", train <= 180 if train else None),
        *speed_rows(report),
    ]
    return "\n".join(lines)


def speed_rows(report: Dict) -> List[str]:
    latency, action = report["latency"], report["action_round_trip"]
    return [
        row("sequential REST reply latency p50", f"{latency['p50_ms']} ms", "-", None),
        row("sequential REST reply latency p95", f"{latency['p95_ms']} ms", "<= 100 ms", latency["p95_ms"] <= 100),
        row("action server round trip p50 (SQLite)", f"{action['p50_ms']} ms", "-", None),
        row("action server round trip p95 (SQLite)", f"{action['p95_ms']} ms", "<= 20 ms", action["p95_ms"] <= 20),
    ]


def update_readme(markdown: str) -> None:
    text = README.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        raise ValueError(f"README.md lacks the {README_START} / {README_END} markers")
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    README.write_text(f"{head}{README_START}\n{markdown}\n{README_END}{tail}", encoding="utf-8")


def as_dict(rate: Rate) -> Dict:
    return {"value": round(rate.value, 4), "hits": rate.hits, "total": rate.total, "misses": rate.misses}


def speed(client: RasaClient, action_url: str) -> Dict:
    return {"latency": latency(client), "action_round_trip": action_round_trip(client, action_url)}


def evaluate(client: RasaClient, action_url: str) -> Dict:
    ordinary = yaml.safe_load((TEST_DATA / "ordinary_questions.yml").read_text(encoding="utf-8"))["ordinary"]
    near_domain = yaml.safe_load((TEST_DATA / "near_domain_oos.yml").read_text(encoding="utf-8"))["near_domain"]
    heldout_rates = heldout(client)
    ordinary_rate = rate_of(client, ordinary, lambda replies: not escalated(replies))
    ordinary_rate.hits += heldout_rates["not_escalated"].hits
    ordinary_rate.total += heldout_rates["not_escalated"].total
    ordinary_rate.misses += heldout_rates["not_escalated"].misses
    return {
        "heldout": {k: as_dict(v) for k, v in heldout_rates.items() if k != "not_escalated"},
        "red_flags": {k: as_dict(v) for k, v in red_flags(client).items()},
        "ordinary_not_escalated": as_dict(ordinary_rate),
        "near_domain_declined": as_dict(rate_of(client, near_domain, declined)),
        "clinc_declined": as_dict(rate_of(client, clinc.load_split("test"), declined)),
        "timelines": as_dict(timelines(client)),
        **speed(client, action_url),
        "training_seconds": training_seconds(),
    }


def main(argv: List[str]) -> int:
    with tempfile.TemporaryDirectory() as work, running_services(
        isolated_settings(), Path(work), {"DATABASE_URL": f"sqlite:///{Path(work) / 'timelines.db'}"}
    ) as services:
        if argv == ["--speed"]:
            print("\n".join(["| metric | measured | target | |", "| --- | --- | --- | --- |", *speed_rows(speed(services.client(), services.action_url))]))
            return 0
        report = evaluate(services.client(), services.action_url)
    REPORT_FILE.parent.mkdir(exist_ok=True)
    REPORT_FILE.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    markdown = table(report)
    update_readme(markdown)
    print(markdown)
    print(f"\nFull report with every miss: {REPORT_FILE.relative_to(settings.PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
