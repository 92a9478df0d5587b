"""Sending the check-ins (bot/rasa/check_ins.py) with a controlled clock, through the Twilio API
client to the local stand-in of the provider: the day-7 message at the patient's hour with its
stage and citations, nothing before, each message once however many senders, never again after a
restart; STOP ends them, START restarts them, Twilio's 21610 counts as a stop; on WhatsApp the
approved template goes out with the check-in's values."""

import asyncio
import json
from dataclasses import replace
from types import SimpleNamespace

import pytest
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered

from bot import check_ins, settings
from bot.check_ins.content import whatsapp_template
from bot.clinic import load_profile
from bot.database import database
from bot.names import Response, Slot
from bot.rasa import check_ins as sender
from bot.rasa.channels.twilio import TwilioOutput
from bot.rasa.clinic_responses import ClinicResponses
from bot.timelines.data import timeline_data
from tests.check_ins.test_enrolment import ENROLLED_AT, REQUEST, SCHEDULE, at

CONVERSATION = "twilio:+13105550123"
DAY_1, DAY_3, DAY_7 = "2026-01-07T01:00:00+00:00", "2026-01-09T01:00:00+00:00", "2026-01-13T01:00:00+00:00"


@pytest.fixture
def engine(tmp_path):
    return database(f"sqlite:///{tmp_path / 'check_ins.db'}")


@pytest.fixture
def twilio(provider_api, monkeypatch):
    """The Twilio SMS channel's API client, talking to the stand-in."""
    monkeypatch.setenv("TWILIO_API_URL", provider_api.url)
    return {"twilio": TwilioOutput("AC0123", "secret", "+13105550100")}


def an_agent(domain: Domain, tracker_store=None):
    """What the sender uses of a Rasa server's agent: its lock store, conversations and generator."""
    nlg = ClinicResponses(load_profile())
    nlg.responses = domain.responses
    return SimpleNamespace(
        lock_store=InMemoryLockStore(), tracker_store=tracker_store or InMemoryTrackerStore(domain), nlg=nlg
    )


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(settings.DOMAIN_FILE))


def send_due(agent, engine, twilio, now):
    return asyncio.run(sender.send_due(agent, engine, twilio, SCHEDULE, at(now)))


def texts(provider_api, since):
    return [(c.form["To"], c.form["Body"]) for c in provider_api.calls_to("/Messages.json", since)]


def enrol(engine):
    return check_ins.enrol(engine, REQUEST, timeline_data(), SCHEDULE, "nora", now=ENROLLED_AT)


def test_an_sms_patient_gets_the_day_7_check_in_at_their_hour_with_its_stage_and_citations(
    engine, twilio, provider_api, domain
):
    enrol(engine)
    agent, mark = an_agent(domain), provider_api.mark()
    assert send_due(agent, engine, twilio, DAY_1) == {"sent": 1}
    assert send_due(agent, engine, twilio, DAY_3) == {"sent": 1}
    assert send_due(agent, engine, twilio, "2026-01-13T00:59:59+00:00") == {}  # 16:59 in Los Angeles
    assert len(texts(provider_api, mark)) == 2
    mark = provider_api.mark()
    assert send_due(agent, engine, twilio, DAY_7) == {"sent": 1}  # 17:00 in Los Angeles
    [(to, text)] = texts(provider_api, mark)
    assert to == "+13105550123"
    assert text.startswith("ATLAS Institute of Brain and Spine check-in, 7 days after your microdiscectomy.")
    assert "\nAvoid: Bending, twisting or lifting heavy objects.\n" in text  # weeks 1 to 4
    assert "Recovery time: Most patients return to work and normal activity within 2 to 6 weeks." in text
    assert text.endswith("If so, contact your surgeon now.\nReply STOP to end these messages.")

    tracker = asyncio.run(agent.tracker_store.retrieve(CONVERSATION))
    said = [e for e in tracker.events if isinstance(e, BotUttered)]
    assert [e.text for e in said][-1] == text
    assert said[-1].metadata["utter_action"] == Response.CHECK_IN
    metadata = said[-1].metadata["metadata"]  # where Rasa keeps a response's metadata (the console reads it)
    assert {"miss-warning-signs", "miss-weeks-1-4", "miss-weeks-1-4-therapy", "miss-recovery-by-procedure"} <= set(
        metadata["cites"]
    )
    assert metadata["check_in"]["day"] == 7 and metadata["check_in"]["recovery_phase"] == "weeks_1_to_4"
    assert tracker.get_slot(Slot.PROCEDURE) == "microdiscectomy" and tracker.get_slot(Slot.SURGERY_TIME) == "2026-01-05"
    statuses = {m["day"]: (m["status"], m["sent_at"]) for m in check_ins.listing(engine)[0]["messages"]}
    assert statuses[7] == (check_ins.SENT, DAY_7) and statuses[14][0] == check_ins.SCHEDULED


def test_two_servers_send_each_check_in_once_and_a_restart_sends_nothing_again(engine, twilio, provider_api, domain):
    enrol(engine)
    mark, conversations = provider_api.mark(), InMemoryTrackerStore(domain)

    async def two_servers():
        return await asyncio.gather(
            *(sender.send_due(an_agent(domain, conversations), engine, twilio, SCHEDULE, at(DAY_1)) for _ in range(2))
        )

    results = asyncio.run(two_servers())
    assert sorted(r.get("sent", 0) for r in results) == [0, 1]
    assert send_due(an_agent(domain, conversations), engine, twilio, DAY_1) == {}  # a server restarted
    assert len(texts(provider_api, mark)) == 1


def patient_says(agent, engine, text, timestamp):
    """The patient's message saved in their conversation, as the conversation store does after it."""
    tracker = asyncio.run(agent.tracker_store.get_or_create_tracker(CONVERSATION))
    tracker.update(UserUttered(text, timestamp=timestamp))
    sender.after_save(engine, tracker)


def test_stop_ends_the_check_ins_and_start_restarts_them(engine, twilio, provider_api, domain):
    enrolment_id = enrol(engine)
    agent = an_agent(domain)
    send_due(agent, engine, twilio, DAY_1)
    patient_says(agent, engine, "no, all fine", at("2026-01-07T02:00:00+00:00"))
    patient_says(agent, engine, "STOP", at("2026-01-07T02:01:00+00:00"))
    mark = provider_api.mark()
    assert send_due(agent, engine, twilio, DAY_3) == {}
    assert texts(provider_api, mark) == []
    [listed] = check_ins.listing(engine)
    assert (listed["stop_reason"], listed["messages"][0]["answered_at"]) == ("patient", "2026-01-07T02:00:00+00:00")
    patient_says(agent, engine, "START", at("2026-01-10T00:00:00+00:00"))
    assert send_due(agent, engine, twilio, DAY_7) == {"sent": 1}
    assert check_ins.of_conversation(engine, CONVERSATION).stopped_at is None
    assert check_ins.of_conversation(engine, CONVERSATION).id == enrolment_id


def test_twilios_opt_out_error_21610_counts_as_a_stop(engine, twilio, provider_api, domain):
    enrol(engine)
    provider_api.misbehave(
        "/Messages.json",
        status=400,
        containing="3105550123",
        error={"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400},
    )
    agent = an_agent(domain)
    assert send_due(agent, engine, twilio, DAY_1) == {"failed": 1}
    [listed] = check_ins.listing(engine)
    assert listed["stop_reason"] == check_ins.PROVIDER_OPT_OUT
    assert [m["status"] for m in listed["messages"][:2]] == [check_ins.FAILED, check_ins.CANCELLED]
    assert listed["messages"][0]["problem"] == "Refused 21610"
    tracker = asyncio.run(agent.tracker_store.get_or_create_tracker(CONVERSATION))
    assert not [e for e in tracker.events if isinstance(e, BotUttered)]  # not sent: not in the conversation


def test_a_check_in_for_a_channel_this_server_has_not_enabled_fails_and_is_not_resent(engine, domain):
    enrol(engine)
    assert send_due(an_agent(domain), engine, {}, DAY_1) == {"failed": 1}
    assert send_due(an_agent(domain), engine, {}, DAY_1) == {}
    assert check_ins.listing(engine)[0]["messages"][0]["problem"] == "LookupError"


def test_start_does_not_undo_a_stop_by_the_staff(engine, twilio, domain):
    enrolment_id = enrol(engine)
    check_ins.stop(engine, enrolment_id, check_ins.BY_STAFF, "nora", now=ENROLLED_AT)
    patient_says(an_agent(domain), engine, "START", at("2026-01-06T00:00:00+00:00"))
    assert check_ins.of_conversation(engine, CONVERSATION).stop_reason == check_ins.BY_STAFF


def test_on_whatsapp_the_check_in_goes_out_as_the_approved_template_with_its_values(
    engine, twilio, provider_api, domain
):
    request = replace(REQUEST, channel="twilio_whatsapp", address="whatsapp:+13105550123")
    schedule = replace(SCHEDULE, whatsapp_template="HX0123")
    check_ins.enrol(engine, request, timeline_data(), schedule, "nora", now=ENROLLED_AT)
    clients = {"twilio_whatsapp": TwilioOutput("AC0123", "secret", "whatsapp:+13105550100")}
    agent, mark = an_agent(domain), provider_api.mark()
    assert asyncio.run(sender.send_due(agent, engine, clients, schedule, at(DAY_7))) == {"sent": 1}
    [call] = provider_api.calls_to("/Messages.json", mark)
    assert (call.form["To"], call.form["ContentSid"]) == ("whatsapp:+13105550123", "HX0123")
    [variation] = agent.nlg.responses[Response.CHECK_IN]
    body, _ = whatsapp_template(variation["text"])
    for number, value in json.loads(call.form["ContentVariables"]).items():
        body = body.replace("{{%s}}" % number, value)
    tracker = asyncio.run(agent.tracker_store.retrieve("twilio_whatsapp:whatsapp:+13105550123"))
    assert body == [e for e in tracker.events if isinstance(e, BotUttered)][-1].text  # what the patient reads
    assert "7 days after your microdiscectomy" in body and "{" not in body
