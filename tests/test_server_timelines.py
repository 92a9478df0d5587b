"""Recovery-timeline conversations over the REST channel, and what happens when parts are down."""

from datetime import date, timedelta

import pytest
import requests

from bot.runtime.services import COMMANDS, isolated_environment, isolated_settings, running_services


def answer(client, sender, text):
    """The assistant's last reply to a message."""
    return client.ask(sender, text)[-1]


def test_the_general_answer_comes_first_then_the_procedure_is_remembered(client, sender):
    general = answer(client, sender, "how long does recovery take?")
    assert general.utter_action == "utter_timeline_general"
    assert "Most patients return to light activities within 2 to 4 weeks." in general.text
    assert [b["title"] for b in general.buttons] == [
        "Microdiscectomy",
        "Decompression",
        "Minimally invasive spinal fusion",
    ]
    reply = answer(client, sender, general.buttons[0]["payload"])
    assert reply.utter_action == "utter_timeline_procedure"
    assert "Most patients return to work and normal activity within 2–6 weeks." in reply.text
    assert (
        reply.metadata["cites"] == ["miss-recovery-by-procedure"] and reply.metadata["procedure"] == "microdiscectomy"
    )
    later = answer(client, sender, "and how long is the recovery overall?")
    assert later.utter_action == "utter_timeline_procedure" and "microdiscectomy" in later.text


def test_a_typed_procedure_is_accepted(client, sender):
    assert answer(client, sender, "how long till i'm back to normal").utter_action == "utter_timeline_general"
    reply = answer(client, sender, "l4/5 fusion")
    assert reply.utter_action == "utter_timeline_procedure" and "after 4 weeks" in reply.text


def test_a_procedure_the_guide_does_not_name_is_answered_for_the_nearest_saying_so(client, sender):
    nearest, reply = client.ask(sender, "how long is the recovery after a laminectomy?")[-2:]
    assert nearest.utter_action == "utter_procedure_nearest" and "decompression" in nearest.text
    assert reply.utter_action == "utter_timeline_procedure" and "4–8 weeks" in reply.text


def test_a_named_phase_is_answered_without_asking_when(client, sender):
    reply = answer(client, sender, "what should I be doing in weeks 4 to 8?")
    assert reply.utter_action == "utter_timeline_phase" and reply.metadata["recovery_phase"] == "weeks_4_to_8"


def test_an_activity_in_other_words_says_which_one_it_is_taken_for(client, sender):
    nearest, reply = client.ask(sender, "when can I play pickleball again?")[-2:]
    assert nearest.utter_action == "utter_activity_nearest" and "light sports" in nearest.text
    assert reply.metadata["activity"] == "sports" and "weeks 8 to 12" in reply.text


def test_the_surgery_time_given_first_is_used_later(client, sender):
    stage = answer(client, sender, "I had a decompression 5 weeks ago")
    assert stage.utter_action == "utter_timeline_stage" and "weeks 4 to 8" in stage.text
    swim = answer(client, sender, "when can i go swimming?")
    assert swim.utter_action == "utter_activity_ok_now"
    assert swim.text.startswith("It is 5 weeks after your decompression. Typically OK for you now: light swimming.")
    assert "if your doctor has cleared you" in swim.text
    assert swim.metadata["cites"] == ["miss-weeks-4-8"]


def test_changing_the_answer_updates_it(client, sender):
    assert "4–8 weeks" in answer(client, sender, "how long is recovery after a decompression").text
    corrected = answer(client, sender, "actually it was a fusion")
    assert (
        corrected.utter_action == "utter_timeline_procedure"
        and "Bone healing and regaining strength take 8–12 weeks" in corrected.text
    )


def test_an_activity_the_guide_does_not_cover_is_sent_to_the_surgeon(client, sender):
    reply = answer(client, sender, "when can i drive again after my surgery?")
    assert reply.utter_action == "utter_activity_not_covered"
    assert "doesn't cover driving" in reply.text and "ask your surgeon" in reply.text


def test_a_future_surgery_date_gets_a_clear_reply(client, sender):
    ahead = date.today() + timedelta(days=20)
    reply = answer(client, sender, f"my surgery is on {ahead:%B} {ahead.day}")
    assert reply.utter_action == "utter_surgery_in_future"


def test_a_warning_sign_while_being_asked_escalates_and_stops_asking(client, sender):
    assert (
        answer(client, sender, "what should I be doing at this stage of my recovery?").utter_action
        == "utter_ask_surgery_time"
    )
    replies = client.ask(sender, "my incision is oozing and red")
    assert [r.utter_action for r in replies] == ["utter_red_flag"]


def test_a_denied_sign_is_not_escalated_and_the_question_is_answered(client, sender):
    reply = answer(client, sender, "No fever and the wound looks clean. When can I go swimming?")
    assert reply.utter_action.startswith("utter_activity_") and reply.metadata["activity"] == "swimming"


def test_a_sign_reported_in_a_later_turn_escalates(client, sender):
    assert answer(client, sender, "when can i go back to my desk job?").utter_action.startswith("utter_activity_")
    assert answer(client, sender, "oh and my left leg has gone numb today").utter_action == "utter_red_flag"


def test_a_hypothetical_sign_gets_the_warning_signs_not_an_escalation(client, sender):
    reply = answer(client, sender, "what should I do if I get a fever after surgery?")
    assert not reply.utter_action.startswith("utter_red_flag")


@pytest.fixture(scope="module")
def assistant_without_actions(tmp_path_factory):
    """An assistant whose action server is not running."""
    directory = tmp_path_factory.mktemp("logs")
    without = [name for name in COMMANDS if name != "actions"]
    with running_services(isolated_settings(), directory, isolated_environment(directory), without) as services:
        yield services


def test_action_server_down_apologises_with_the_general_answer(assistant_without_actions, sender):
    client = assistant_without_actions.client()
    reply = answer(client, sender, "how long is recovery after a microdiscectomy?")
    assert reply.utter_action == "utter_timeline_unavailable"
    assert "most patients return to light activities within 2 to 4 weeks" in reply.text


def test_action_server_down_still_answers_and_escalates(assistant_without_actions, sender):
    client = assistant_without_actions.client()
    assert [r.utter_action for r in client.ask(sender, "my wound is oozing pus")] == ["utter_red_flag"]
    assert [r.utter_action for r in client.ask(sender, "when can i swim?")] == ["utter_timeline_unavailable"]
    assert [r.utter_action for r in client.ask(sender, "is fusion the same as a disc replacement?")] == [
        "utter_faq/fusion_vs_disc_replacement"
    ]
    assert (
        "Traceback"
        not in requests.post(
            f"{assistant_without_actions.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": "when can i swim"},
            headers={"Authorization": f"Bearer {assistant_without_actions.token}"},
            timeout=30,
        ).text
    )


def test_a_fragment_after_a_timeline_answer_asks_the_same_question_again(client, sender):
    first = answer(client, sender, "when can i go swimming after my microdiscectomy?")
    assert first.metadata["activity"] == "swimming" and first.metadata["procedure"] == "microdiscectomy"
    fusion = answer(client, sender, "and after a fusion?")
    assert fusion.metadata["activity"] == "swimming" and fusion.metadata["procedure"] == "fusion"
    tennis = answer(client, sender, "ok what about tennis")
    assert tennis.utter_action.startswith("utter_activity") and tennis.metadata["activity"] == "sports"


def test_a_follow_up_about_another_person_starts_afresh(client, sender):
    assert answer(client, sender, "how long is recovery after my microdiscectomy?").metadata["procedure"] == (
        "microdiscectomy"
    )
    assert answer(client, sender, "and for my husband?").utter_action == "utter_timeline_general"


def test_a_bare_thermometer_reading_in_a_later_turn_escalates(client, sender):
    assert not answer(client, sender, "no fever so far. when can i go back to my desk job?").utter_action.startswith(
        "utter_red_flag"
    )
    assert answer(client, sender, "just checked, 38.6").utter_action == "utter_red_flag"


def test_after_an_escalation_symptoms_still_described_get_it_again(client, sender):
    assert answer(client, sender, "the pain keeps getting worse and the meds don't help").utter_action == (
        "utter_red_flag"
    )
    assert answer(client, sender, "no fever, no numbness, the painkillers take the edge off").utter_action == (
        "utter_red_flag"
    )
    assert answer(client, sender, "ok thanks").utter_action == "utter_you_are_welcome"
