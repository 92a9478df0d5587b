"""Every answer rests on the passages it cites (issue #2, item 4)."""

import re
from typing import List

import pytest

from bot import settings
from bot.check_ins.content import check_in
from bot.clinic import PASSAGES, load_profile
from bot.rasa.clinic_responses import needs, prepare
from bot.sources import Passage, defers_to_clinician, passages_by_id, refers_to_clinician, unsupported_numbers
from bot.timelines.data import timeline_data
from bot.training_data import read_nlu_examples
from tests import stated_facts
from tests.clinic_profiles import AFTER_HOURS, PHONE, SHIPPED, WITH_NUMBERS
from tests.patient_texts import check_in_days, is_template, patient_texts, rendered, responses

# The answers as the assistant gives them: with the shipped clinic profile (no phone number), and
# with one that sets the clinic's phone and after-hours numbers.
PROFILES = {"shipped": load_profile(SHIPPED), "with numbers": WITH_NUMBERS}
PASSAGES_OF = {profile: passages_by_id(profile=PROFILES[profile]) for profile in PROFILES}
PHONE_NUMBER = re.compile(r"\+?\(?\d[\d ()-]{5,}\d")

NO_FACTS = {
    "utter_greet",
    "utter_goodbye",
    "utter_you_are_welcome",
    "utter_anything_else",
    "utter_chitchat",
    "utter_bot_challenge",
    "utter_out_of_scope",
    "utter_default",
    "utter_ask_rephrase",
    "utter_ask_affirmation",
    "utter_button_something_else",
    "utter_ask_surgery_time",
    "utter_surgery_in_future",
    "utter_time_too_long",
    "utter_time_unreadable",
    "utter_message_too_long",
    "utter_staff_left",
}


def variations():
    """(profile, response, index, variation) of every reply the assistant can give."""
    return [
        (profile, name, i, v)
        for profile in PROFILES
        for name, vs in prepare(responses(), PROFILES[profile]).items()
        for i, v in enumerate(vs)
    ]


def cited(variation: dict, profile: str) -> List[Passage]:
    passages = PASSAGES_OF[profile]
    return [passages[i] for i in (variation.get("metadata") or {}).get("cites", [])]


# A template (is_template) is filled by an action with rows of data/timelines.yml, which carry their
# own citations (checked in tests/timelines/test_data.py); the template itself must state no number.
@pytest.mark.parametrize("profile, name, index, variation", variations(), ids=lambda x: x if isinstance(x, str) else "")
def test_every_factual_answer_cites_existing_passages(profile, name, index, variation):
    cites = (variation.get("metadata") or {}).get("cites", [])
    if name in NO_FACTS or is_template(variation):
        return
    assert cites, f"{name}[{index}] states facts but cites no passage"
    missing = set(cites) - set(PASSAGES_OF[profile])
    assert not missing, f"{name}[{index}] cites unknown passages {missing}"


@pytest.mark.parametrize("profile, name, index, variation", variations(), ids=lambda x: x if isinstance(x, str) else "")
def test_every_number_is_in_the_cited_passages(profile, name, index, variation):
    if name in NO_FACTS or is_template(variation):
        unquoted = re.sub(r'"[^"]*"', "", variation["text"])  # quoted input examples: "3 weeks ago"
        assert not any(c.isdigit() for c in unquoted), f"{name} states numbers but cites nothing"
        return
    assert not unsupported_numbers(variation["text"], cited(variation, profile)), f"{name}[{index}]"


@pytest.mark.parametrize("profile, name, index, variation", variations(), ids=lambda x: x if isinstance(x, str) else "")
def test_answers_send_patients_to_their_surgeon_where_the_source_does(profile, name, index, variation):
    passages = cited(variation, profile)
    if passages and defers_to_clinician(passages):
        assert refers_to_clinician(variation["text"]), f"{name}[{index}] drops the source's 'ask your surgeon'"


def test_every_clinic_value_an_answer_uses_is_cited():
    passage_of = {f"clinic_{field}": passage_id for field, passage_id, _ in PASSAGES}
    for name, variations_ in responses().items():
        for index, variation in enumerate(variations_):
            cites = set((variation.get("metadata") or {}).get("cites", []))
            uncited = {passage_of[p] for p in needs(variation)} - cites
            assert not uncited, f"{name}[{index}] uses clinic values but does not cite {uncited}"


def test_the_checks_catch_ungrounded_answers():
    passage = passages_by_id()["miss-faq-l4-l5"]
    assert unsupported_numbers("about 8–12 weeks; light activity after 4 weeks", [passage]) == set()
    assert unsupported_numbers("about 6 to 10 weeks", [passage]) == {"6", "10"}
    assert unsupported_numbers("within two days, 90% of patients", [passage]) == {"2", "90"}
    assert defers_to_clinician([passages_by_id()["miss-faq-stairs"]])
    assert not refers_to_clinician("You can climb stairs within a few days.")


def test_every_faq_has_an_answer_with_a_question_and_vice_versa():
    faq_keys = {i.split("/", 1)[1] for i in read_nlu_examples(settings.NLU_DIR.rglob("*.yml")) if i.startswith("faq/")}
    answer_keys = {name.split("/", 1)[1] for name in responses() if name.startswith("utter_faq/")}
    assert faq_keys == answer_keys
    for key in answer_keys:
        assert responses()[f"utter_faq/{key}"][0]["metadata"].get("question"), key


@pytest.mark.parametrize("profile", PROFILES)
def test_escalations_are_marked_urgent_and_send_patients_to_their_surgeon_and_emergency_care(profile):
    for name, variations_ in prepare(responses(), PROFILES[profile]).items():
        if name.startswith("utter_red_flag"):
            for variation in variations_:
                assert variation["metadata"]["urgency"] in ("urgent", "emergency")
                text = variation["text"]
                assert "surgeon" in text and "emergency care now (call 911)" in text.lower(), text


def test_with_a_phone_number_every_warning_sign_reply_gives_the_clinics_numbers():
    for name, variations_ in prepare(responses(), PROFILES["with numbers"]).items():
        if name.startswith("utter_red_flag"):
            for variation in variations_:
                assert f"call the clinic at {PHONE} (after hours, {AFTER_HOURS})" in variation["text"]
                assert {"clinic-phone", "clinic-after-hours"} <= set(variation["metadata"]["cites"])
                numbers = {(n["label"], n["number"]) for n in variation["metadata"]["call"]}
                assert numbers == {("Phone", PHONE), ("After-hours line", AFTER_HOURS), ("Emergency number", "911")}


def test_the_shipped_profile_fills_every_clinic_value_and_no_reply_gives_a_phone_number():
    for name, variations_ in prepare(responses(), PROFILES["shipped"]).items():
        for variation in variations_:
            assert "{clinic_" not in variation["text"], name
            assert not PHONE_NUMBER.search(variation["text"]), name
            numbers = [n["number"] for n in (variation.get("metadata") or {}).get("call", [])]
            assert numbers in ([], ["911"]), name


# GSM 03.38's basic alphabet: an SMS in it is sent in parts of 153 characters; one other character
# makes the whole message UCS-2, in parts of 67
GSM_7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
SMS_PARTS = 5  # at most, of 153 characters


def check_in_messages():
    """(profile, procedure, day) of every check-in the schedule sends, with the default CHECK_IN_DAYS."""
    procedures = [pid for pid, _ in timeline_data().procedures_with_timelines()]
    return [(p, pid, day) for p in PROFILES for pid in procedures for day in check_in_days()]


def rendered_check_in(profile: str, procedure: str, day: int):
    """The check-in's text as sent (the template filled like Rasa's generator does) and its passages."""
    reply = check_in(timeline_data(), procedure, day)
    text, variation = rendered(reply, PROFILES[profile])
    cites = [*variation["metadata"]["cites"], *reply.cites]
    return text, reply, [PASSAGES_OF[profile][c] for c in cites]


@pytest.mark.parametrize("profile, procedure, day", check_in_messages())
def test_every_check_in_rests_on_its_passages_and_sends_patients_to_their_surgeon(profile, procedure, day):
    text, reply, passages = rendered_check_in(profile, procedure, day)
    facts = text.replace(reply.variables["elapsed"], "")  # the patient's own time since surgery, not the guide's
    assert not unsupported_numbers(facts, passages), f"day {day}, {procedure}"
    assert refers_to_clinician(text) and "Reply STOP to end these messages." in text
    question = "any fever, wound redness or drainage, new weakness or numbness, or bladder or bowel changes?"
    assert question in text.lower()
    assert "{" not in text
    assert set(text) <= GSM_7, set(text) - GSM_7
    assert len(text) <= SMS_PARTS * 153


STATED = {text.key: text.text for text in patient_texts()}
SIGNS = stated_facts.sign_words()


@pytest.mark.parametrize("key, facts", stated_facts.frozen().items())
def test_every_text_still_states_the_facts_it_stated(key, facts):
    """Rewording keeps every number, time window, percentage and warning sign a text stated when
    tests/data/stated_facts.yml was written (tests/stated_facts.py)."""
    assert key in STATED, f"no patient-facing text {key!r} any more (tests/patient_texts.py)"
    lost = set(facts) - set(stated_facts.stated_facts(STATED[key], SIGNS))
    assert not lost, f"{key} no longer states {sorted(lost)}: {STATED[key]!r}"


def test_the_facts_are_found_in_any_wording():
    facts = stated_facts.stated_facts
    assert facts("within 2–6 weeks", SIGNS) == facts("in 2 to 6 weeks", SIGNS) == facts("weeks 2-6", SIGNS)
    assert facts("Two to four weeks, after twenty-four hours, one of these", SIGNS) == ["2-4 weeks", "24 hours"]
    assert facts("after one week, 85% of patients; call 911 or +1 (310) 555-0100", SIGNS) == [
        "1 weeks",
        "85%",
        "911",
        "phone 13105550100",
    ]
    assert facts("the first few days; several months; within days", SIGNS) == [
        "few days",
        "several months",
        "within days",
    ]
    assert facts("Any fever, or bladder or bowel changes?", SIGNS) == ["sign: bladder", "sign: bowel", "sign: fever"]
    assert facts("walking longer distances", SIGNS) == []
