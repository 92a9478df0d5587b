"""One word per outcome, from the response names (bot/outcomes.py)."""

from __future__ import annotations

from bot.outcomes import OUTCOMES, RESPONSE_OUTCOMES, SERIOUSNESS, outcome_of


def test_the_most_serious_response_is_the_outcome():
    assert outcome_of(["utter_faq/stairs"]) == "answered"
    assert outcome_of(["utter_out_of_scope"]) == "declined"
    assert outcome_of(["utter_faq/wound_care", "utter_red_flag"]) == "escalated"
    assert outcome_of(["utter_timeline_unavailable"]) == "action_failure"
    assert outcome_of(["utter_ask_affirmation"]) == "clarified"
    assert outcome_of(["utter_ask_surgery_time", "utter_out_of_scope"]) == "clarified"
    assert outcome_of(["utter_default"]) == outcome_of(["utter_ask_rephrase"]) == "fallback"
    assert outcome_of(["utter_disclaimer"]) is None


def test_every_outcome_has_one_rank_and_every_mapped_response_a_known_outcome():
    assert sorted(SERIOUSNESS) == sorted(OUTCOMES)
    assert set(RESPONSE_OUTCOMES.values()) <= set(OUTCOMES)
