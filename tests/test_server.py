"""The running assistant over its REST channel, as a patient's client uses it."""

import requests

from tests.clinic_profiles import AFTER_HOURS, PHONE, REPLY_HOURS, answers

ANSWERS = answers()  # with the session's clinic profile, which sets phone numbers


def response_text(name: str) -> str:
    return ANSWERS[name][-1]["text"]


def test_first_reply_of_a_conversation_is_the_disclaimer(client, sender):
    messages = client.send(sender, "is spinal fusion the same as a disc replacement?")
    assert messages[0]["text"] == response_text("utter_disclaimer")
    assert messages[1]["text"] == response_text("utter_faq/fusion_vs_disc_replacement")
    assert [m["text"] for m in client.send(sender, "thanks")] == [response_text("utter_you_are_welcome")]


def test_faq_answers_come_from_their_responses(client, sender):
    for question, answer in [
        ("is fusion the same as a disc replacement?", "utter_faq/fusion_vs_disc_replacement"),
        ("will there be screws and rods in my back after fusion", "utter_faq/fusion_hardware"),
        ("what are the clinic's opening hours", "utter_faq/clinic_hours"),
    ]:
        assert [r.utter_action for r in client.ask(sender, question)] == [answer]


def test_red_flag_wins_over_everything_else_in_the_message(client, sender):
    replies = client.ask(sender, "when can I swim? also my incision is oozing yellow stuff")
    assert replies[-1].utter_action == "utter_red_flag"
    assert replies[-1].text.startswith("Redness, drainage or swelling at the incision")
    assert (
        f"Please contact your surgeon now: call the clinic at {PHONE} (after hours, {AFTER_HOURS})." in replies[-1].text
    )
    assert [call["number"] for call in replies[-1].metadata["call"]] == [PHONE, AFTER_HOURS, "911"]


def test_emergency_goes_to_emergency_care(client, sender):
    replies = client.ask(sender, "i peed myself and didnt even feel it")
    assert replies[-1].utter_action == "utter_red_flag_emergency"
    assert "Seek emergency care now (call 911)" in replies[-1].text and PHONE in replies[-1].text


def test_uncovered_questions_are_declined(client, sender):
    replies = client.ask(sender, "how much does a spinal fusion cost without insurance")
    assert replies[-1].utter_action == "utter_out_of_scope"


def test_unclear_messages_get_a_clarification_not_an_answer(client, sender):
    replies = client.ask(sender, "/nlu_fallback")
    assert [r.utter_action for r in replies][-1] == "utter_ask_rephrase"


def test_asking_for_a_person_says_when_the_staff_answer_and_how_to_call(client, sender):
    [reply] = client.ask(sender, "I want to talk to a real person")
    assert reply.utter_action == "utter_human_handoff"
    assert "During opening hours (Monday to Friday, 9:00 a.m. to 5:00 p.m.)" in reply.text
    assert f"usually answers within {REPLY_HOURS} hours" in reply.text
    assert f"at {PHONE} (after hours, {AFTER_HOURS})" in reply.text


def test_http_api_requires_the_token(assistant, sender):
    for path in (f"/conversations/{sender}/tracker", "/status"):
        assert requests.get(f"{assistant.rasa_url}{path}", timeout=10).status_code == 401
        assert requests.get(f"{assistant.rasa_url}{path}", params={"token": "wrong"}, timeout=10).status_code == 401
        assert requests.get(f"{assistant.rasa_url}{path}", params={"token": assistant.token}, timeout=10).ok
    assert requests.post(f"{assistant.rasa_url}/model/parse", json={"text": "hi"}, timeout=10).status_code == 401


def test_no_message_text_in_the_logs(assistant, client, sender):
    secret = "my zebra-7731 incision is oozing since tuesday"
    client.send(sender, secret)
    client.send(sender, "what does zebra-7731 mean for my fusion")
    logs = assistant.logs()
    assert logs.strip(), "no logs captured"
    assert "zebra-7731" not in logs
