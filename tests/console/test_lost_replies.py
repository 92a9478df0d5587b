"""Lost replies in the console's API (bot/console/lost_replies.py), against the session's real
assistant and the providers' stand-in: an escalation the provider refused is listed first, by its
pseudonym, and counted; an admin sends it again (audited) and the patient gets it; erasing the
conversation erases its replies."""

import pytest
from sqlalchemy import select

from bot.database import OUTBOX
from bot.outcomes import FAILED, SENT
from bot.rasa.channels import outbox
from bot.runtime.client import poll_until
from tests.console.staff import Staff, console_engine
from tests.rasa.channels import test_telegram
from tests.rasa.channels.test_deliveries import EMERGENCY, ESCALATION, new_sender, sent_to


@pytest.fixture(scope="module")
def admin(assistant):
    return Staff(assistant, "admin")


def escalations_to(provider_api, chat: str, since: int) -> list:
    return [call for call in sent_to(provider_api, chat, since) if ESCALATION in call.json["text"]]


def outbox_row(assistant, reply_id: int) -> tuple:
    """An outbox reply's status and attempts."""
    with console_engine(assistant).connect() as connection:
        row = connection.execute(select(OUTBOX).where(OUTBOX.c.id == reply_id)).one()
    return row.status, row.attempts


def lose_an_escalation(assistant, provider_api) -> str:
    """A new Telegram chat whose escalation the provider refuses; its chat id."""
    chat = new_sender("telegram")
    provider_api.misbehave(test_telegram.REPLY_PATH, status=400, containing=ESCALATION)
    assert test_telegram.deliver(assistant, chat, EMERGENCY).status_code == 200
    return chat


def test_a_lost_escalation_is_listed_first_and_an_admin_sends_it_again(assistant, provider_api, admin):
    escalations = admin.get("/api/lost-replies")["escalations"]
    mark = provider_api.mark()
    chat = lose_an_escalation(assistant, provider_api)
    conversation = f"telegram:{chat}"
    [lost] = admin.lost_replies(conversation)
    listing = admin.get("/api/lost-replies")
    assert listing["escalations"] == escalations + 1 and listing["replies"][0]["escalation"]
    assert (lost["status"], lost["escalation"], lost["channel"], lost["attempts"]) == (FAILED, True, "telegram", 1)
    assert lost["reference"] == outbox.reference(conversation) and chat not in lost["reference"]
    assert lost["problem"] == "telegram API answered HTTP 400"
    assert admin.call("POST", f"/api/lost-replies/{lost['id']}/resend").status_code == 200
    assert admin.call("POST", f"/api/lost-replies/{lost['id']}/resend").status_code == 409  # queued already
    assert admin.last_audited()["action"] == "resend_reply"
    poll_until(lambda: len(escalations_to(provider_api, chat, mark)) == 2, 30, "the escalation sent again")
    # the sweep marks the reply sent once the provider has answered: a moment after the call
    poll_until(lambda: outbox_row(assistant, lost["id"]) == (SENT, 2), 10, "the reply sent again marked sent")
    assert admin.get("/api/lost-replies")["escalations"] == escalations
    assert admin.call("POST", "/api/lost-replies/987654321/resend").status_code == 404


def test_erasing_a_conversation_erases_its_replies(assistant, provider_api, admin):
    conversation = f"telegram:{lose_an_escalation(assistant, provider_api)}"
    admin.lost_replies(conversation)
    assert admin.call("DELETE", f"/api/conversations/{conversation}").status_code == 200
    with console_engine(assistant).connect() as connection:
        assert connection.execute(select(OUTBOX).where(OUTBOX.c.conversation_id == conversation)).all() == []
