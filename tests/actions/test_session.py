"""A new session carries the check-in slot only while the check-in is unanswered (actions/session.py)."""

from actions.session import check_in_unanswered

CHECK_IN = [
    {"event": "slot", "name": "check_in", "value": "4/7"},
    {"event": "bot", "text": "... Any fever ...?", "metadata": {"utter_action": "utter_check_in"}},
]


def test_a_check_in_nobody_answered_is_carried_into_the_next_session():
    assert check_in_unanswered(CHECK_IN)


def test_an_answered_check_in_is_not():
    assert not check_in_unanswered([*CHECK_IN, {"event": "user", "text": "no, all fine"}, {"event": "bot"}])
    assert not check_in_unanswered([{"event": "user", "text": "hi"}, {"event": "bot"}])
