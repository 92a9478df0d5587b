"""Judging replies and computing the metrics of `make evaluate` (pure functions)."""

from bot.evaluation.cases import Case
from bot.evaluation.judge import judge, normalise
from bot.evaluation.metrics import compute
from bot.evaluation.report import misses_table
from bot.runtime.client import BotReply


def reply(action, text="", **metadata):
    return BotReply(text=text, utter_action=action, metadata=metadata)


def case(*labels, category="faq", window=()):
    return Case("c", category, ("a message",), labels, tuple(window))


def test_ranges_are_compared_however_they_are_written():
    assert normalise("From weeks 4 to 8") == normalise("from  weeks 4–8") == "from weeks 4-8"


def test_the_right_answer():
    disclaimer = reply("utter_disclaimer")
    assert judge(case("faq:stairs"), [disclaimer, reply("utter_faq/stairs")]).outcome == "right"
    activity = reply("utter_activity_not_yet", "At 3 weeks, still early: from weeks 4 to 8", activity="swimming")
    assert judge(case("activity:swimming", window=["4-8"]), [activity]).outcome == "right"
    assert judge(case("activity:sports", window=["4-8"]), [activity]).outcome == "wrong"
    assert judge(case("activity:swimming", window=["8-12"]), [activity]).outcome == "wrong"


def test_recovery_answers_are_about_the_right_procedure():
    fusion = reply("utter_timeline_procedure", "8–12 weeks", procedure="fusion", spinal_level="L4-L5")
    assert judge(case("recovery:fusion_l4_l5", window=["8-12"]), [fusion]).outcome == "right"
    assert judge(case("recovery:fusion", window=["8-12"]), [fusion]).outcome == "wrong"
    general = reply("utter_timeline_general", "within 2 to 4 weeks")
    assert judge(case("recovery:general", window=["2-4 weeks"]), [general]).outcome == "right"


def test_declines_clarifications_and_escalations():
    assert judge(case("not_covered"), [reply("utter_activity_not_covered")]).outcome == "right"
    assert judge(case("not_covered"), [reply("utter_ask_affirmation")]).outcome == "right"
    assert judge(case("faq:stairs"), [reply("utter_out_of_scope")]).outcome == "declined"
    assert judge(case("faq:stairs"), [reply("utter_ask_rephrase")]).outcome == "fallback"
    assert judge(case("faq:stairs"), [reply("utter_ask_surgery_time")]).outcome == "clarified"
    escalated = judge(case("faq:stairs"), [reply("utter_red_flag")])
    assert escalated.outcome == "escalated" and escalated.escalated
    emergency = judge(case("red_flag:emergency"), [reply("utter_red_flag_emergency")])
    assert emergency.outcome == "right" and emergency.emergency


def test_any_of_several_labels():
    two = case("faq:clinic_hours", "faq:clinic_address")
    assert judge(two, [reply("utter_faq/clinic_address")]).outcome == "right"


def test_metrics_count_events_and_list_the_failures():
    judged = [
        (case("red_flag:urgent", category="red_flag"), judge(case("red_flag:urgent"), [reply("utter_red_flag")])),
        (
            case("activity:swimming", category="denied_sign"),
            judge(case("activity:swimming"), [reply("utter_red_flag")]),
        ),
        (case("faq:stairs"), judge(case("faq:stairs"), [reply("utter_faq/stairs")])),
    ]
    rates = compute(judged)
    assert (rates["red_flag_recall"].hits, rates["red_flag_recall"].total) == (1, 1)
    assert (rates["denied_escalated"].hits, rates["denied_escalated"].total) == (1, 1)
    assert len(rates["denied_escalated"].failures) == 1
    assert (rates["faq"].hits, rates["faq"].failures) == (1, [])
    assert rates["ordinary_escalated"].total == 1 and rates["ordinary_escalated"].hits == 0


def test_an_escalation_is_right_where_the_labels_allow_one():
    either = case("not_covered", "red_flag:urgent")
    assert judge(either, [reply("utter_red_flag")]).outcome == "right"
    assert judge(case("not_covered"), [reply("utter_red_flag")]).outcome == "escalated"


def test_a_decline_label_accepts_the_covered_alternative():
    assert judge(case("not_covered", "faq:wound_care"), [reply("utter_faq/wound_care")]).outcome == "right"
    assert judge(case("unclear"), [reply("utter_ask_rephrase")]).outcome == "right"
    assert judge(case("smalltalk:ack"), [reply("utter_anything_else")]).outcome == "right"


def test_misses_are_counted_by_what_they_got_and_tabled_for_the_target_set():
    judged = [
        (case("faq:stairs"), judge(case("faq:stairs"), [reply("utter_out_of_scope")])),
        (case("faq:stairs"), judge(case("faq:stairs"), [reply("utter_faq/driving")])),
        (case("faq:stairs"), judge(case("faq:stairs"), [reply("utter_faq/stairs")])),
    ]
    rates = {key: rate.as_dict() for key, rate in compute(judged).items()}
    assert rates["faq"]["misses"] == {"declined": 1, "wrong": 1}
    manifest = {"target_set": "test", "targets": {"faq": {"at_least": 0.95}}}
    table = misses_table({"test": rates}, {"test": "fresh test"}, manifest).splitlines()
    assert table[2] == "| FAQ answered with the right answer | 2 | 1 | 0 | 1 | 0 | 0 |"
    assert misses_table({"dev": rates}, {"dev": "development"}, manifest) == ""
