"""The inbox of messages to review, the labels staff give them, and their export as training data.

The inbox holds every patient message that was declined, met with a clarification, fell back,
was answered with low confidence, or whose answer got a thumbs-down, newest first, one line per
text (compared without case and spacing). A label says what the message should have got: a FAQ
answer, a timeline intent (with its entities), out of scope, a red flag, or "ignore". Labels are
exported to REVIEWED_DATA_FILE, a Rasa NLU file the next training reads; a labelled text that is
already a training example, or is one of the evaluation sets' messages (which must never be
trained on), is not exported, and the export says why.
"""

from __future__ import annotations

import functools
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

import yaml
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot import settings
from bot.console.conversations import Exchange, exchanges, feedback, rated_exchange
from bot.database import LABELS
from bot.names import FAQ_PREFIX, TIMELINE_INTENTS, Entity, Intent, Response
from bot.outcomes import ANSWERED, UNANSWERED
from bot.timelines.data import load_timeline_data
from bot.timestamps import iso
from bot.training_data import read_nlu_examples

# An answer below this confidence (the intent's, or the FAQ answer's) is in the inbox.
LOW_CONFIDENCE = 0.7
KINDS = {
    "faq": "a FAQ answer",
    "timeline": "a recovery timeline or activity question",
    "out_of_scope": "out of scope (decline)",
    "red_flag": "a red flag (escalate)",
    "ignore": "ignore (not training data)",
}
KIND_INTENTS = {"out_of_scope": Intent.OUT_OF_SCOPE, "red_flag": Intent.RED_FLAG}
LABEL_ENTITIES = (Entity.PROCEDURE, Entity.ACTIVITY, Entity.RECOVERY_PHASE)
_ANNOTATION_CHARACTERS = set("[]{}()")


class LabelError(ValueError):
    """A label the console cannot store; the message says what to choose instead."""


def normalised(text: str) -> str:
    return " ".join(text.casefold().split())


def _reasons(item: Exchange) -> List[str]:
    reasons = [item.outcome] if item.outcome in UNANSWERED else []
    confidences = [c for c in (item.intent_confidence, item.answer_confidence) if c is not None]
    if item.outcome == ANSWERED and confidences and min(confidences) < LOW_CONFIDENCE:
        reasons.append("low_confidence")
    return reasons


def labels(engine: Engine) -> Dict[str, Dict[str, Any]]:
    """Every label, by normalised text."""
    with engine.connect() as connection:
        rows = connection.execute(select(LABELS))
        return {
            normalised(r.text): {
                "text": r.text,
                "kind": r.kind,
                "intent": r.intent,
                "faq": r.intent[len(Intent.FAQ) + 1 :] if r.intent and r.kind == "faq" else None,
                "entities": json.loads(r.entities or "{}"),
                "by": r.username,
                "at": iso(r.at),
            }
            for r in rows
        }


def inbox(engine: Engine) -> List[Dict[str, Any]]:
    items = exchanges(engine)
    flagged: List[Tuple[Exchange, List[str]]] = [(e, _reasons(e)) for e in items if e.from_patient]
    for rating in feedback(engine):
        rated = rated_exchange(items, rating) if rating["rating"] == "down" else None
        if rated is not None:
            flagged.append((rated, ["thumbs_down"]))
    known = labels(engine)
    lines: Dict[str, Dict[str, Any]] = {}
    for item, reasons in sorted(flagged, key=lambda pair: pair[0].at, reverse=True):
        if not reasons:
            continue
        key = normalised(item.text)
        line = lines.get(key)
        if line is None:
            answered = [r for r in item.responses if r != Response.DISCLAIMER]
            lines[key] = {
                "text": item.text,
                "reasons": list(reasons),
                "count": 1,
                "last_at": iso(item.at),
                "conversation_id": item.conversation_id,
                "intent": item.intent,
                "confidence": item.intent_confidence,
                "response": answered[0] if answered else "",
                "label": known.get(key),
            }
        else:
            line["count"] += 1
            line["reasons"] = sorted(set(line["reasons"]) | set(reasons))
    return list(lines.values())


@functools.lru_cache(maxsize=1)
def options() -> Dict[str, Any]:
    """What a label can say: the FAQ answers (domain.yml), the timeline intents and the
    procedures, activities and phases of data/timelines.yml."""
    domain = yaml.safe_load(settings.DOMAIN_FILE.read_text(encoding="utf-8"))
    faq = [
        {"key": name[len(FAQ_PREFIX) :], "title": (variants[0].get("metadata") or {}).get("question") or name}
        for name, variants in domain["responses"].items()
        if name.startswith(FAQ_PREFIX)
    ]
    timelines = load_timeline_data()
    return {
        "kinds": [{"value": value, "title": title} for value, title in KINDS.items()],
        "faq": faq,
        "intents": [{"name": name, "title": name.replace("_", " ")} for name in TIMELINE_INTENTS],
        "entities": {
            Entity.PROCEDURE: [p.id for p in timelines.procedures],
            Entity.ACTIVITY: [a.id for a in timelines.activities],
            Entity.RECOVERY_PHASE: [p.id for p in timelines.phases],
        },
    }


def _intent(kind: str, faq: Optional[str], intent: Optional[str], entities: Dict[str, str]) -> Optional[str]:
    choices = options()
    if kind not in KINDS:
        raise LabelError(f"kind must be one of {', '.join(KINDS)}")
    if kind == "faq":
        if faq not in {f["key"] for f in choices["faq"]}:
            raise LabelError("choose the FAQ answer the message should have got (faq: one of /api/label-options)")
        return f"{Intent.FAQ}/{faq}"
    if kind == "timeline":
        if intent not in TIMELINE_INTENTS:
            raise LabelError(f"choose the timeline intent: one of {', '.join(TIMELINE_INTENTS)}")
        for name, value in entities.items():
            if value not in choices["entities"].get(name, []):
                raise LabelError(f"entity {name!r} cannot be {value!r}: choose one of /api/label-options")
        return intent
    return KIND_INTENTS.get(kind)


def save_label(
    engine: Engine,
    text: str,
    kind: str,
    username: str,
    faq: Optional[str] = None,
    intent: Optional[str] = None,
    entities: Optional[Dict[str, str]] = None,
) -> Dict[str, Any]:
    """Stores (or replaces) the label of a message text."""
    if not text.strip():
        raise LabelError("text is the patient message to label")
    given = {k: v for k, v in (entities or {}).items() if v} if kind == "timeline" else {}
    values = {
        "kind": kind,
        "intent": _intent(kind, faq, intent, given),
        "entities": json.dumps(given),
        "username": username,
        "at": time.time(),
    }
    with engine.begin() as connection:
        connection.execute(LABELS.delete().where(LABELS.c.text == text))
        connection.execute(LABELS.insert().values(text=text, **values))
    return labels(engine)[normalised(text)]


@dataclass(frozen=True)
class Export:
    path: Path
    exported: int
    skipped: List[Dict[str, str]]


def training_texts(exclude: Path) -> Dict[str, str]:
    """Every training example's normalised text and its intent (except those in `exclude`)."""
    paths = [p for p in sorted(settings.NLU_DIR.rglob("*.yml")) if p.resolve() != exclude.resolve()]
    return {normalised(text): intent for intent, texts in read_nlu_examples(paths).items() for text in texts}


@functools.lru_cache(maxsize=1)
def evaluation_texts() -> Set[str]:
    """The messages of every evaluation set (release gate manifest and CLINC150's evaluation splits)."""
    from bot.console.gate import every_evaluation_text

    return {normalised(t) for t in every_evaluation_text()}


def _annotated(text: str, entities: Dict[str, str]) -> str:
    for name, value in entities.items():
        match = re.search(re.escape(value.replace("_", " ")), text, re.IGNORECASE)
        if match:
            text = f"{text[: match.start()]}[{match.group(0)}]({name}){text[match.end() :]}"
    return text


def export(engine: Engine, path: Optional[Path] = None) -> Export:
    """Writes the labels as training data (REVIEWED_DATA_FILE), removing the file when none is left."""
    path = path or settings.reviewed_data_file()
    training = training_texts(path)
    held_out = evaluation_texts()
    by_intent: Dict[str, List[str]] = {}
    skipped: List[Dict[str, str]] = []
    for key, label in sorted(labels(engine).items()):
        text = " ".join(label["text"].split())
        reason = ""
        if label["kind"] == "ignore":
            continue
        if key in held_out:
            reason = "in an evaluation set, which is never trained on"
        elif key in training:
            reason = f"already a training example of {training[key]}"
        elif set(text) & _ANNOTATION_CHARACTERS:
            reason = "contains brackets, which Rasa's training format reserves"
        if reason:
            skipped.append({"text": label["text"], "reason": reason})
            continue
        by_intent.setdefault(label["intent"], []).append(_annotated(text, label["entities"]))
    if not by_intent:
        path.unlink(missing_ok=True)
        return Export(path, 0, skipped)
    lines = [
        "# Written by the staff console from reviewed patient messages (bot/console/labels.py):",
        "# label them in the console rather than editing this file.",
        'version: "3.1"',
        "nlu:",
    ]
    for intent, texts in sorted(by_intent.items()):
        lines += [f"- intent: {intent}", "  examples: |", *(f"    - {text}" for text in texts)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Export(path, sum(len(t) for t in by_intent.values()), skipped)
