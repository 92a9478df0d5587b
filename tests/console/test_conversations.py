"""Exchanges, from event rows as Rasa stores them."""

from __future__ import annotations

import json
from types import SimpleNamespace

from bot.console.conversations import exchanges_of


def row(sender, kind, at, **data):
    return SimpleNamespace(sender_id=sender, type_name=kind, timestamp=at, data=json.dumps({"event": kind, **data}))


def bot(sender, at, response, **metadata):
    return row(sender, "bot", at, text=response, metadata={"utter_action": response, **metadata})


def test_exchanges_pair_each_patient_message_with_the_replies_after_it():
    parse = {
        "intent": {"name": "faq", "confidence": 0.9},
        "response_selector": {"faq": {"response": {"confidence": 0.8}}},
    }
    rows = [
        bot("rest:a", 1, "utter_disclaimer"),
        row("rest:a", "user", 2, text="is fusion a disc replacement?", parse_data=parse),
        bot("rest:a", 3, "utter_faq/fusion_vs_disc_replacement", model_id="m1", metadata={"cites": ["p1"]}),
        row("rest:a", "user", 4, text="/greet", parse_data={"intent": {"name": "greet", "confidence": 1.0}}),
        row("rest:b", "user", 5, text="pizza?", parse_data={"intent": {"name": "out_of_scope", "confidence": 0.6}}),
        bot("rest:b", 6, "utter_out_of_scope"),
    ]
    first, button, other = exchanges_of(rows)
    assert (first.text, first.intent_confidence, first.answer_confidence, first.outcome) == (
        "is fusion a disc replacement?",
        0.9,
        0.8,
        "answered",
    )
    assert first.replies[0].model_id == "m1" and first.replies[0].cites == ["p1"]
    assert not button.from_patient and button.outcome is None
    assert (other.conversation_id, other.outcome) == ("rest:b", "declined")
