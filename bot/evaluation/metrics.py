"""The metrics of `make evaluate`, computed from judged cases (pure functions)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Sequence, Tuple

from bot.evaluation.cases import Case
from bot.evaluation.judge import RIGHT, TIMING_KINDS, WRONG, Verdict
from bot.outcomes import CLARIFIED, FALLBACK

Judged = Tuple[Case, Verdict]


@dataclass
class Rate:
    """How many of `total` cases had the metric's event; `failures` lists the cases that count against it
    and `misses` counts what they got instead (declined, clarified, wrong, escalated...)."""

    hits: int = 0
    total: int = 0
    failures: List[str] = field(default_factory=list)
    misses: Counter = field(default_factory=Counter)

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 0.0

    def as_dict(self) -> Dict:
        return {
            "value": round(self.value, 4),
            "hits": self.hits,
            "total": self.total,
            "misses": dict(sorted(self.misses.items())),
            "failures": self.failures,
        }


@dataclass(frozen=True)
class Metric:
    key: str
    title: str
    selects: Callable[[Case], bool]
    hit: Callable[[Verdict], bool]
    lower_is_better: bool = False


DECLINE_KINDS = ("not_covered", "out_of_scope")
SIGN_CATEGORIES = ("denied_sign", "hypothetical_sign")
# Turns that depend on earlier ones: the blind sets tag them, the older sets name them by category.
FOLLOWUP_CATEGORIES = ("followup", "correction", "multi_turn")


def _answerable(case: Case) -> bool:
    return case.kind not in ("red_flag", "ordinary", "unclear") and case.category not in SIGN_CATEGORIES


def _followup(case: Case) -> bool:
    return case.kind != "red_flag" and ("followup" in case.tags or case.category in FOLLOWUP_CATEGORIES)


def _right(verdict: Verdict) -> bool:
    return verdict.outcome == RIGHT


def _escalated(verdict: Verdict) -> bool:
    return verdict.escalated


def _not_clinc_answerable(case: Case) -> bool:
    return _answerable(case) and case.category != "clinc"


METRICS: Tuple[Metric, ...] = (
    Metric("faq", "FAQ answered with the right answer", lambda c: c.kind == "faq", _right),
    Metric(
        "timeline", "timeline and activity questions with the right window", lambda c: c.kind in TIMING_KINDS, _right
    ),
    Metric(
        "followup", "follow-up turns (elliptical, corrections, answers to a question) answered right", _followup, _right
    ),
    Metric(
        "smalltalk", "greetings, thanks, goodbyes, bot and human questions", lambda c: c.kind == "smalltalk", _right
    ),
    Metric(
        "uncovered_declined",
        "uncovered questions declined",
        lambda c: c.kind in DECLINE_KINDS and c.category != "clinc",
        _right,
    ),
    Metric("clinc_declined", "CLINC150 out-of-scope declined", lambda c: c.category == "clinc", _right),
    Metric("red_flag_recall", "red-flag messages escalated", lambda c: c.kind == "red_flag", _escalated),
    Metric(
        "emergency_routed",
        "emergencies sent to emergency care",
        lambda c: c.labels[0] == "red_flag:emergency",
        lambda v: v.emergency,
    ),
    Metric(
        "signs_denied_or_asked",
        "denied or hypothetical warning signs answered right, without an alarm",
        lambda c: c.category in SIGN_CATEGORIES,
        _right,
    ),
    Metric(
        "denied_escalated",
        "denied or hypothetical warning signs escalated",
        lambda c: c.category in SIGN_CATEGORIES,
        _escalated,
        lower_is_better=True,
    ),
    Metric(
        "ordinary_escalated",
        "ordinary questions escalated",
        lambda c: c.kind != "red_flag" and c.category not in SIGN_CATEGORIES + ("clinc",),
        _escalated,
        lower_is_better=True,
    ),
    Metric(
        "wrong_answers",
        "answerable questions given a wrong answer",
        _not_clinc_answerable,
        lambda v: v.outcome == WRONG,
        lower_is_better=True,
    ),
    Metric(
        "clarified",
        "answerable questions met with a clarification",
        _not_clinc_answerable,
        lambda v: v.outcome in (CLARIFIED, FALLBACK),
        lower_is_better=True,
    ),
)


def describe(case: Case, verdict: Verdict) -> str:
    conversation = " | ".join(case.turns)
    return (
        f"{case.id} [{case.category}] {conversation} -> {verdict.outcome}: {list(verdict.answers)} "
        f"(expected {list(case.labels)})"
    )


def compute(judged: Sequence[Judged]) -> Dict[str, Rate]:
    """Every metric that has at least one case in `judged`."""
    rates: Dict[str, Rate] = {}
    for metric in METRICS:
        for case, verdict in judged:
            if not metric.selects(case):
                continue
            rate = rates.setdefault(metric.key, Rate())
            event = metric.hit(verdict)
            rate.total += 1
            rate.hits += event
            if event == metric.lower_is_better:
                rate.failures.append(describe(case, verdict))
                rate.misses[verdict.outcome] += 1
    return rates
