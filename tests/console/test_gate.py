"""The regression gate's verdict (data/release_gate.yml): floors, drops, and the changed answers."""

from __future__ import annotations

from bot import settings
from bot.console.gate import Gate, every_evaluation_text, gate_cases, load_gate, verdict

GATE = Gate(cases_file=load_gate().cases_file, floors={"red_flag_recall": 1.0}, max_drop_points=1.0)


def report(answers=None, **values):
    return {
        "fingerprint": "same",
        "metrics": {key: {"value": value} for key, value in values.items()},
        "answers": answers or {},
    }


def test_a_candidate_that_misses_one_red_flag_is_refused_even_if_everything_else_improved():
    result = verdict(report(red_flag_recall=0.99, faq=0.99), report(red_flag_recall=1.0, faq=0.80), GATE)
    assert not result["passed"]
    assert result["reasons"] == ["red-flag messages escalated: 99.0%, below the floor of 100%"]


def test_a_drop_of_more_than_one_point_is_refused_and_one_point_is_allowed():
    assert not verdict(report(red_flag_recall=1.0, faq=0.889), report(red_flag_recall=1.0, faq=0.90), GATE)["passed"]
    assert verdict(report(red_flag_recall=1.0, faq=0.89), report(red_flag_recall=1.0, faq=0.90), GATE)["passed"]


def test_for_a_lower_is_better_metric_a_rise_is_the_drop():
    worse = verdict(
        report(red_flag_recall=1.0, denied_escalated=0.05), report(red_flag_recall=1.0, denied_escalated=0.0), GATE
    )
    assert (
        not worse["passed"]
        and "denied or hypothetical warning signs escalated: 5.0 points worse" in worse["reasons"][0]
    )
    assert verdict(
        report(red_flag_recall=1.0, denied_escalated=0.0), report(red_flag_recall=1.0, denied_escalated=0.05), GATE
    )["passed"]


def test_reports_on_other_cases_are_not_compared():
    other = {**report(red_flag_recall=1.0), "fingerprint": "other"}
    assert not verdict(report(red_flag_recall=1.0), other, GATE)["passed"]


def test_every_message_whose_answer_changed_is_listed():
    before = {
        "heldout:a": {"set": "heldout", "text": "a", "answers": ["utter_out_of_scope"], "outcome": "declined"},
        "heldout:b": {"set": "heldout", "text": "b", "answers": ["utter_greet"], "outcome": "right"},
    }
    after = {**before, "heldout:a": {**before["heldout:a"], "answers": ["utter_faq/hospital_stay"], "outcome": "right"}}
    changed = verdict(report(after, red_flag_recall=1.0), report(before, red_flag_recall=1.0), GATE)["changed"]
    assert [(c["text"], c["production"], c["candidate"]) for c in changed] == [
        ("a", "utter_out_of_scope", "utter_faq/hospital_stay")
    ]


def test_the_gate_evaluates_the_red_flag_list_denied_signs_and_a_fixed_clinc_sample():
    cases = gate_cases(load_gate())
    categories = {case.category for _, case in cases}
    assert {"red_flag", "denied_sign", "clinc", "heldout_nlu", "ordinary"} <= categories
    assert "test" not in {set_name for set_name, _ in cases}, "the fresh test set is for reporting only"
    assert cases == gate_cases(load_gate())


def test_the_console_reads_the_gate_from_the_built_file_not_from_tests_or_shared():
    gate = load_gate()
    assert gate.cases_file.is_relative_to(settings.PROJECT_ROOT / "build")
    assert every_evaluation_text(gate), "the built file lists the messages never to train on"
