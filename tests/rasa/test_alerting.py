"""The Rasa server's part of the alerts (bot/rasa/alerting.py): an escalation read from a saved
conversation's latest turn; a page e-mailed to a local SMTP server and texted through the Twilio
channel's API client to the providers' stand-in; a configuration that cannot page is refused."""

import asyncio
import time

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select

from bot import alerts, audit, metrics
from bot.alerts.paging import Page, Person
from bot.database import ALERTS, database
from bot.language import vocabulary
from bot.names import UNSPECIFIED_SIGN, ClientMessage, Response, Slot
from bot.rasa import alerting
from bot.settings import ConfigurationError
from tests.alerts.mailbox import mailbox
from tests.conftest import CHANNEL_SECRETS

AT = 1_764_900_000.0


def bot(response: str) -> BotUttered:
    return BotUttered("reply", metadata={"utter_action": response})


def tracker(*events, sender="socketio:abc") -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, list(events))


def user(text: str, at: float = AT, **metadata) -> UserUttered:
    event = UserUttered(text, metadata=metadata)
    event.timestamp = at
    return event


def test_the_latest_turns_red_flag_reply_is_an_escalation():
    found = alerting.escalation_of(
        tracker(
            user("i have a fever of 39 and the wound is red"),
            SlotSet(Slot.WARNING_SIGN, "fever"),
            ActionExecuted(Response.RED_FLAG),
            bot(Response.RED_FLAG),
        )
    )
    assert found == alerts.Escalation(
        "socketio:abc", "socketio", "fever", alerts.URGENT, "i have a fever of 39 and the wound is red", AT, False
    )


def test_an_emergency_reply_anywhere_in_the_turn_makes_it_an_emergency():
    found = alerting.escalation_of(
        tracker(user("cant control my bladder"), bot(Response.RED_FLAG_EMERGENCY), bot(Response.DISCLAIMER))
    )
    assert found is not None and found.urgency == alerts.EMERGENCY and found.sign == UNSPECIFIED_SIGN


def test_an_earlier_escalation_is_not_this_turns():
    earlier = [user("fever", AT), bot(Response.RED_FLAG)]
    assert alerting.escalation_of(tracker(*earlier, user("thanks", AT + 5), bot("utter_you_are_welcome"))) is None
    assert alerting.escalation_of(tracker()) is None


def test_test_traffic_is_read_from_the_messages_metadata():
    found = alerting.escalation_of(
        tracker(user("fever", **{ClientMessage.TEST_TRAFFIC: True}), bot(Response.RED_FLAG), sender="rest:eval-1")
    )
    assert found is not None and found.test_traffic and found.channel == "rest"


def test_an_escalation_is_counted_once_by_channel_and_sign_kind(engine):
    def counted(sign: str) -> int:
        return metrics.counted("escalations", channel="twilio", sign=sign)

    before = {sign: counted(sign) for sign in ("fever", metrics.OTHER)}
    fever = tracker(user("fever"), SlotSet(Slot.WARNING_SIGN, "fever"), bot(Response.RED_FLAG), sender="twilio:+1555")
    alerting.raise_for(engine, fever)
    alerting.raise_for(engine, fever)  # the conversation saved again
    made_up = tracker(
        user("/red_flag"), SlotSet(Slot.WARNING_SIGN, "Ann Smith"), bot(Response.RED_FLAG), sender="twilio:+1666"
    )
    alerting.raise_for(engine, made_up)
    assert {sign: counted(sign) - before[sign] for sign in before} == {"fever": 1, metrics.OTHER: 1}
    assert "fever" in alerting.sign_ids()


PAGE = Page(7, "twilio", "fever", alerts.URGENT, Person(("nurse@clinic.test",), ("+15550002222",)), 1)


@pytest.fixture
def engine(tmp_path):
    return database(f"sqlite:///{tmp_path / 'alerts.db'}")


def test_a_page_is_emailed_and_texted_through_the_twilio_channels_client(engine, provider_api, monkeypatch):
    monkeypatch.setenv("TWILIO_API_URL", provider_api.url)
    for name, value in CHANNEL_SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TWILIO_SMS_WEBHOOK_URL", "https://chat.clinic.test/webhooks/twilio/webhook")
    monkeypatch.setenv("CONSOLE_PUBLIC_URL", "https://console.clinic.test")
    mark, sent = provider_api.mark(), metrics.counted("alert_pages", outcome=alerting.PAGE_SENT)
    with mailbox() as box:
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(box.port))
        monkeypatch.setenv("SMTP_SECURITY", "none")
        asyncio.run(alerting.send(engine, PAGE))
        [mail] = box.wait_for(0)
    [sms] = provider_api.calls_to("/Messages.json", mark)
    assert mail["To"] == "nurse@clinic.test" and "https://console.clinic.test/#alerts/7" in mail.get_content()
    assert sms.form["To"] == "+15550002222" and sms.form["From"] == CHANNEL_SECRETS["TWILIO_SMS_NUMBER"]
    assert "https://console.clinic.test/#alerts/7" in sms.form["Body"]
    assert audit.entries(engine)[0]["action"] == "alert_paged"
    assert metrics.counted("alert_pages", outcome=alerting.PAGE_SENT) == sent + 1


def test_a_page_that_fails_is_audited_and_goes_to_the_next_person_sooner(engine, monkeypatch):
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", "9")  # nothing listens there
    monkeypatch.setenv("SMTP_SECURITY", "none")
    alert_id = alerts.raise_alert(engine, alerts.Escalation("twilio:+1", "twilio", "fever", "urgent", "x", AT), True)
    failed = metrics.counted("alert_pages", outcome=alerting.PAGE_FAILED)
    asyncio.run(alerting.send(engine, Page(alert_id, "twilio", "fever", alerts.URGENT, Person(("a@clinic.test",)), 1)))
    assert metrics.counted("alert_pages", outcome=alerting.PAGE_FAILED) == failed + 1
    entry = audit.entries(engine)[0]
    assert (entry["action"], entry["target"]) == (
        "alert_page_failed",
        f"alert {alert_id}: page 1 to mailto:a@clinic.test",
    )
    with engine.connect() as connection:
        page_at = connection.execute(select(ALERTS.c.page_at).where(ALERTS.c.id == alert_id)).scalar_one()
    assert page_at > time.time() + alerting.RETRY_SECONDS / 2


def test_an_escalation_list_that_cannot_be_reached_is_refused_at_start(monkeypatch):
    monkeypatch.setenv("ALERT_ESCALATION_LIST", "mailto:nurse@clinic.test")
    monkeypatch.delenv("SMTP_HOST", raising=False)
    with pytest.raises(ConfigurationError, match="SMTP_HOST"):
        alerting.check_configuration()
    monkeypatch.setenv("ALERT_ESCALATION_LIST", "sms:+15550002222")
    for name in CHANNEL_SECRETS:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigurationError, match="TWILIO"):
        alerting.check_configuration()


def test_a_warning_sign_file_that_cannot_be_read_leaves_escalations_counted_without_their_kind(monkeypatch, tmp_path):
    broken = tmp_path / "warning_signs.yml"
    broken.write_text("signs: [", encoding="utf-8")
    monkeypatch.setattr(alerting, "load_warning_signs", lambda: vocabulary.load_warning_signs(broken))
    alerting.sign_ids.cache_clear()
    try:
        assert alerting.sign_ids() == frozenset()
    finally:
        alerting.sign_ids.cache_clear()
