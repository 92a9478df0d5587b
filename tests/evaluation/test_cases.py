"""Reading the evaluation sets (bot/evaluation/cases.py) and playing conversations once (runner)."""

import pytest

from bot.dev.stability import changed_outside, intents_for
from bot.evaluation.cases import CaseError, read_conversations
from bot.evaluation.runner import conversations

BLIND = """
conversations:
  - id: c-1
    turns:
      - text: "how long is recovery after a fusion?"
        expect: recovery:fusion
        window: ["8-12 weeks"]
      - text: "thanks"
      - text: "and what about swimming, or tennis?"
        expect: [activity:swimming, activity:sports]
        window: {activity:swimming: ["4-8"], activity:sports: ["8-12"]}
        tags: [followup]
      - text: "no fever, wound fine - when can i drive?"
        expect: not_covered
        tags: [denied]
      - text: "now it's leaking"
        expect: red_flag:urgent
        tags: [followup]
"""


def test_every_labelled_turn_is_a_case_of_one_conversation(tmp_path):
    path = tmp_path / "set.yml"
    path.write_text(BLIND)
    cases = read_conversations(path)
    assert [c.id for c in cases] == ["c-1.1", "c-1.3", "c-1.4", "c-1.5"]  # "thanks" is context only
    assert {c.conversation_id for c in cases} == {"c-1"}
    assert cases[1].turns[-1].startswith("and what about") and len(cases[1].turns) == 3
    assert [c.category for c in cases] == ["recovery", "followup", "denied_sign", "red_flag"]
    assert cases[1].window_for("activity:sports") == ("8-12",) and cases[0].window_for("recovery:fusion") == (
        "8-12 weeks",
    )
    assert len(conversations(cases)) == 1


def test_a_turn_without_text_names_the_fix(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text("conversations:\n  - id: x\n    turns:\n      - expect: faq:wound_care\n")
    with pytest.raises(CaseError, match="needs `turns`"):
        read_conversations(path)


def test_an_added_example_counts_only_changes_outside_its_label(tmp_path):
    path = tmp_path / "set.yml"
    path.write_text(BLIND)
    cases = read_conversations(path)
    before = [("ask_recovery_time", ""), ("ask_activity", ""), ("not_covered", ""), ("red_flag", "")]
    after = [("faq", "after_fusion"), ("ask_activity", ""), ("faq", "after_fusion"), ("not_covered", "")]
    counts = changed_outside(before, after, cases, "faq/after_fusion")
    assert counts == {"messages": 4, "changed": 3, "red_flags_changed": 1}
    assert intents_for("faq:wound_care") == {"faq/wound_care"}
