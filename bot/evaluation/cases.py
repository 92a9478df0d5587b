"""Evaluation cases: conversations with the reply they must get, read from the evaluation sets.

A case is one judged turn of a conversation: the patient's turns up to it (the last one is
judged) and the labels of the right reply (any of them counts). Labels name what the guide
answers, not how the assistant is built: ``faq:<topic>``, ``recovery:<procedure>``,
``phase:<phase>``, ``activity:<activity>``, ``not_covered``, ``out_of_scope``,
``red_flag:<urgent|emergency>``, ``smalltalk:<kind>``, ``unclear`` (a clarification is right) or
``ordinary`` (any reply but an escalation). Timing labels carry ``window``: phrases the right
reply must contain. Tags say what else is true of the turn (``followup``, ``denied``,
``hypothetical``...). Cases of one conversation share its ``conversation`` id, so the runner
plays each conversation once and judges every labelled turn.

Sets come in the formats listed in ``READERS``: tests/data/blind/README.md describes the
``conversations`` format of the blind-written sets (every turn labelled), and
tests/data/patients_brief.md the older ``cases`` format (the last turn labelled).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import yaml

from bot.names import Intent
from bot.training_data import read_nlu_examples

# How the held-out NLU set's intents (written before the taxonomy of issue #8) are judged now.
LEGACY_INTENT_LABELS = {
    "faq/stairs": "activity:stairs",
    "faq/walking": "activity:walking",
    "faq/lifting_bending_twisting": "activity:bending_lifting",
    "faq/first_days": "phase:first_days",
    "faq/weeks_1_to_4": "phase:weeks_1_to_4",
    "faq/weeks_4_to_8": "phase:weeks_4_to_8",
    "faq/weeks_8_to_12": "phase:weeks_8_to_12",
    "ask_recovery_time": "recovery:*",
    "ask_recovery_stage": "phase:*",
    "ask_activity": "activity:*",
    "inform": "timeline:*",
    "greet": "smalltalk:greet",
    "goodbye": "smalltalk:goodbye",
    "thank": "smalltalk:thank",
    "bot_challenge": "smalltalk:bot",
    "human_handoff": "smalltalk:handoff",
}


# The tags that name a turn's category, first match wins (else the category is the label's kind),
# spelled as the older sets' categories.
# The blind labellers' small-talk labels (smalltalk:<value>) and the intents they stand for.
SMALLTALK_INTENTS = {
    "greet": Intent.GREET,
    "goodbye": Intent.GOODBYE,
    "thank": Intent.THANK,
    "bot": Intent.BOT_CHALLENGE,
    "handoff": Intent.HUMAN_HANDOFF,
    "chitchat": Intent.CHITCHAT,
    "ack": Intent.ACKNOWLEDGE,
}
TAG_CATEGORIES = {"denied": "denied_sign", "hypothetical": "hypothetical_sign", "followup": "followup"}


class CaseError(ValueError):
    """An evaluation set is malformed; the message names the file and case."""


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    turns: Tuple[str, ...]
    labels: Tuple[str, ...]
    window: Tuple[str, ...] = ()
    tags: Tuple[str, ...] = ()
    conversation: str = ""
    label_windows: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()  # per timing label, where they differ

    def window_for(self, label: str) -> Tuple[str, ...]:
        """The phrases a reply answering with this label must contain."""
        return dict(self.label_windows).get(label, self.window)

    @property
    def conversation_id(self) -> str:
        """The conversation the case is a turn of (its own id for a one-case conversation)."""
        return self.conversation or self.id

    @property
    def kind(self) -> str:
        """The kind of the first label: faq, recovery, phase, activity, red_flag, ..."""
        return self.labels[0].split(":", 1)[0]

    def as_dict(self) -> Dict[str, Any]:
        """The case as plain lists and strings (for a YAML or JSON file)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Dict[str, Any]) -> "Case":
        """The case `as_dict` wrote."""
        return cls(
            id=raw["id"],
            category=raw["category"],
            turns=tuple(raw["turns"]),
            labels=tuple(raw["labels"]),
            window=tuple(raw["window"]),
            tags=tuple(raw["tags"]),
            conversation=raw["conversation"],
            label_windows=tuple((label, tuple(window)) for label, window in raw["label_windows"]),
        )


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def read_cases(path: Path) -> List[Case]:
    """The ``cases`` format (tests/data/patients_brief.md)."""
    cases = []
    for index, entry in enumerate(_load(path).get("cases") or []):
        where = f"{path}: case {entry.get('id', index)}"
        turns = entry.get("turns")
        if not turns or not all(isinstance(t, str) and t.strip() for t in turns):
            raise CaseError(f"{where} needs `turns`: a list of messages")
        labels = _labels(entry.get("expect"), where)
        cases.append(
            Case(
                id=str(entry.get("id", index)),
                category=str(entry.get("category", "")),
                turns=tuple(turns),
                labels=tuple(labels),
                window=tuple(entry.get("window") or ()),
            )
        )
    return cases


def _labels(expect: Any, where: str) -> List[str]:
    labels = [expect] if isinstance(expect, str) else expect
    if not labels or not all(isinstance(label, str) for label in labels):
        raise CaseError(f"{where} needs `expect`: a label or a list of labels")
    return labels


def category(labels: List[str], tags: Tuple[str, ...]) -> str:
    """A turn's category: a red flag's is red_flag, else its first tag's, else its label's kind."""
    kind = labels[0].split(":", 1)[0]
    if kind == "red_flag":
        return kind
    return next((c for t, c in TAG_CATEGORIES.items() if t in tags), kind)


def read_conversations(path: Path) -> List[Case]:
    """The ``conversations`` format (tests/data/blind/README.md): every turn with its own labels;
    a turn without ``expect`` is context only (a message also trained on, such as "thanks")."""
    cases = []
    for index, entry in enumerate(_load(path).get("conversations") or []):
        conversation = str(entry.get("id", index))
        turns = entry.get("turns") or []
        texts = tuple(str(t.get("text", "")) for t in turns if isinstance(t, dict))
        if not turns or len(texts) != len(turns) or not all(t.strip() for t in texts):
            raise CaseError(f"{path}: conversation {conversation} needs `turns`: a list of {{text, expect}}")
        for number, turn in enumerate(turns, start=1):
            if turn.get("expect") is None:
                continue
            where = f"{path}: conversation {conversation}, turn {number}"
            labels = _labels(turn["expect"], where)
            tags = tuple(turn.get("tags") or ())
            window = turn.get("window") or ()
            per_label = window if isinstance(window, dict) else {}
            cases.append(
                Case(
                    id=f"{conversation}.{number}",
                    category=category(labels, tags),
                    turns=texts[:number],
                    labels=tuple(labels),
                    window=() if per_label else tuple(window),
                    tags=tags,
                    conversation=conversation,
                    label_windows=tuple((label, tuple(phrases)) for label, phrases in per_label.items()),
                )
            )
    return cases


def read_rasa_nlu(path: Path) -> List[Case]:
    """A Rasa NLU file of held-out examples: each example is a one-turn case."""
    return [
        Case(f"{intent}-{i}", "heldout_nlu", (text,), (LEGACY_INTENT_LABELS.get(intent, intent.replace("/", ":")),))
        for intent, examples in read_nlu_examples([path]).items()
        for i, text in enumerate(examples)
    ]


def read_red_flags(path: Path) -> List[Case]:
    return [
        Case(f"red-flag-{i}", "red_flag", (entry["text"],), (f"red_flag:{entry['severity']}",))
        for i, entry in enumerate(_load(path)["red_flags"])
    ]


def read_ordinary(path: Path) -> List[Case]:
    return [Case(f"ordinary-{i}", "ordinary", (text,), ("ordinary",)) for i, text in enumerate(_load(path)["ordinary"])]


def read_near_domain(path: Path) -> List[Case]:
    return [
        Case(f"near-domain-{i}", "near_domain", (text,), ("not_covered",))
        for i, text in enumerate(_load(path)["near_domain"])
    ]


def clinc_cases(questions: List[str]) -> List[Case]:
    return [Case(f"clinc-{i}", "clinc", (text,), ("not_covered",)) for i, text in enumerate(questions)]


READERS: Dict[str, Callable[[Path], List[Case]]] = {
    "conversations": read_conversations,
    "cases": read_cases,
    "rasa_nlu": read_rasa_nlu,
    "red_flags": read_red_flags,
    "ordinary": read_ordinary,
    "near_domain": read_near_domain,
}


def read_set(directory: Path, files: List[Dict[str, str]]) -> List[Case]:
    """All cases of an evaluation set, from its files (paths relative to `directory`)."""
    cases: List[Case] = []
    for entry in files:
        reader = READERS.get(entry.get("format", ""))
        if reader is None:
            raise CaseError(
                f"{entry.get('path')}: unknown format {entry.get('format')!r}; use one of {', '.join(READERS)}"
            )
        cases += reader(directory / entry["path"])
    return cases
