"""The dashboard's figures over a period: messages per day and their outcomes, the most asked FAQ
topics, the most frequent unanswered questions, the patients' feedback, and the staff's part:
alerts per day with the median time to acknowledge them, handoffs per day, and how many of the
check-ins sent were answered."""

from __future__ import annotations

from collections import Counter
from typing import Any, Dict, Optional

from sqlalchemy.engine import Engine

from bot import alerts, check_ins, handoffs
from bot.console.conversations import exchanges, faq_key, feedback
from bot.console.labels import normalised, options
from bot.outcomes import ANSWERED, CLARIFIED, DECLINED, ESCALATED, FALLBACK, UNANSWERED
from bot.timestamps import day_of

TOP = 10
DAY_OUTCOMES = (ANSWERED, DECLINED, CLARIFIED, FALLBACK, ESCALATED)  # the chart's series


def summary(engine: Engine, since: Optional[float], until: Optional[float]) -> Dict[str, Any]:
    items = [e for e in exchanges(engine, since, until) if e.from_patient]
    days: Dict[str, Dict[str, Any]] = {}
    topics: Counter = Counter()
    unanswered: Counter = Counter()
    shown: Dict[str, str] = {}
    for item in items:
        day = days.setdefault(day_of(item.at), {"messages": 0, **{o: 0 for o in DAY_OUTCOMES}})
        day["messages"] += 1
        if item.outcome in DAY_OUTCOMES:
            day[item.outcome] += 1
        for response in item.responses:
            key = faq_key(response)
            if key:
                topics[key] += 1
        if item.outcome in UNANSWERED:
            unanswered[normalised(item.text)] += 1
            shown.setdefault(normalised(item.text), item.text)
    ratings = feedback(engine, since, until)
    by_day: Dict[str, Counter] = {}
    for rating in ratings:
        by_day.setdefault(day_of(rating["at"]), Counter())[rating["rating"]] += 1
    titles = {f["key"]: f["title"] for f in options()["faq"]}
    handed_off = handoffs.daily(engine, since, until)
    return {
        "days": [{"date": date, **counts} for date, counts in sorted(days.items())],
        "top_faq": [{"key": k, "title": titles.get(k, k), "count": n} for k, n in topics.most_common(TOP)],
        "top_unanswered": [{"text": shown[k], "count": n} for k, n in unanswered.most_common(TOP)],
        "feedback": {
            "up": sum(1 for r in ratings if r["rating"] == "up"),
            "down": sum(1 for r in ratings if r["rating"] == "down"),
            "days": [{"date": d, "up": c["up"], "down": c["down"]} for d, c in sorted(by_day.items())],
        },
        "alerts": alerts.daily(engine, since, until),
        "handoffs": [{"date": day, "handoffs": count} for day, count in handed_off.items()],
        "check_ins": check_ins.response_rate(engine, since, until),
    }
