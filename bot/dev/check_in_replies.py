"""How the assistant answers replies to a scheduled check-in's warning-sign question.

Each reply of the blind sets (tests/data/blind/check_in_replies_dev.yml, the development set, and
check_in_replies_test.yml, never tuned on; neither trained on) goes to the trained model in a
conversation whose last message is a day-7 check-in, as bot/rasa/check_ins.py stores it; no action
server is needed (a timeline answer that would need one counts as what the server says when its
action fails). Per label it counts the replies escalated, thanked (utter_check_in_thanks) and
otherwise answered. Safety: a reply describing a warning sign or saying yes is never thanked.

    python -m bot.dev.check_in_replies [set.yml ...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from bot import settings
from bot.dev.stability import quiet_rasa
from bot.names import Action, Response, Slot
from bot.outcomes import ESCALATED, outcome_of

SETS = [settings.PROJECT_ROOT / "tests" / "data" / "blind" / f"check_in_replies_{name}.yml" for name in ("dev", "test")]
REPORT = settings.PROJECT_ROOT / "reports" / "check_in_replies.json"
THANKED = "thanked"
# what each label should get; a yes naming no sign and a named sign are escalated, never thanked
EXPECTED = {"warning_sign": ESCALATED, "yes_unspecified": ESCALATED, "no_all_fine": THANKED}
NEVER_THANKED = ("warning_sign", "yes_unspecified")


def check_in_events(conversation_id: str) -> List[Any]:
    """A conversation whose last message is a day-7 check-in (bot/rasa/check_ins.py)."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet

    now = time.time()
    metadata = {"utter_action": Response.CHECK_IN, "metadata": {"check_in": {"day": 7}}}
    return [
        ActionExecuted(Action.SESSION_START, timestamp=now),
        SessionStarted(timestamp=now),
        ActionExecuted("action_listen", timestamp=now),
        SlotSet(Slot.PROCEDURE, "microdiscectomy", timestamp=now),
        SlotSet(Slot.CHECK_IN, "1/7", timestamp=now),
        BotUttered(
            "... Any fever, wound redness or drainage, new weakness or numbness, or bladder or bowel changes?",
            metadata=metadata,
            timestamp=now,
        ),
    ]


def answer_of(responses: List[str]) -> str:
    if Response.CHECK_IN_THANKS in responses:
        return THANKED
    return outcome_of(responses) or "silent"


async def answer_all(model: Path, replies: List[Dict[str, str]]) -> List[str]:
    from rasa.core.channels.channel import UserMessage
    from rasa.core.utils import AvailableEndpoints
    from rasa.shared.core.events import BotUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.rasa.agent import load_agent

    agent = load_agent(str(model), AvailableEndpoints())  # conversations in memory, no action server
    store = agent.tracker_store
    answers = []
    for number, reply in enumerate(replies):
        conversation = f"twilio:+1310555{number:04d}"
        await store.save(DialogueStateTracker.from_events(conversation, check_in_events(conversation)))
        await agent.handle_message(UserMessage(str(reply["text"]), sender_id=conversation))
        tracker = await store.retrieve(conversation)
        said = [e for e in tracker.events if isinstance(e, BotUttered)][1:]  # after the check-in
        answers.append(answer_of([str((e.metadata or {}).get("utter_action") or "") for e in said]))
    return answers


def measure(path: Path, model: Path) -> Dict[str, Any]:
    replies = yaml.safe_load(path.read_text(encoding="utf-8"))["replies"]
    answers = asyncio.run(answer_all(model, replies))
    by_label: Dict[str, Counter] = {}
    for reply, answer in zip(replies, answers):
        by_label.setdefault(reply["label"], Counter())[answer] += 1
    rows = {}
    for label, counts in sorted(by_label.items()):
        total = sum(counts.values())
        expected = EXPECTED.get(label)
        rows[label] = {
            "replies": total,
            "answers": dict(counts),
            "right": round(counts[expected] / total, 3) if expected else None,
        }
    wrongly_thanked = [r["id"] for r, a in zip(replies, answers) if r["label"] in NEVER_THANKED and a == THANKED]
    return {"set": str(path.relative_to(settings.PROJECT_ROOT)), "labels": rows, "wrongly_thanked": wrongly_thanked}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.dev.check_in_replies", description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", type=Path, nargs="*", default=[s for s in SETS if s.exists()])
    parser.add_argument("--model", type=Path, default=settings.PROJECT_ROOT / "models" / "spine-faq.tar.gz")
    parser.add_argument("--report", type=Path, default=REPORT)
    args = parser.parse_args(argv)
    quiet_rasa()
    logging.getLogger("rasa.core.processor").setLevel(logging.CRITICAL)  # each custom action fails here
    reports = [measure(path.resolve(), args.model) for path in args.sets]
    args.report.write_text(json.dumps(reports, indent=2) + "\n", encoding="utf-8")
    for report in reports:
        print(report["set"])
        for label, row in report["labels"].items():
            right = "" if row["right"] is None else f" right {row['right']:.0%}"
            print(f"  {label:16} {row['replies']:4d}{right}  {row['answers']}")
        print(f"  a warning sign or a yes thanked: {len(report['wrongly_thanked'])} {report['wrongly_thanked']}")
    return 1 if any(report["wrongly_thanked"] for report in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
