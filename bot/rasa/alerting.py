"""The Rasa server's part of the staff alerts (bot/alerts): an alert for every escalation in a
saved conversation, and the pages to the escalation list.

The conversation store calls `raise_for` after each save: if the conversation's latest turn got
a red-flag reply, the alert is raised (once per patient message, however often the conversation
is saved). `page_regularly` runs in every Rasa server: it claims the pages due and sends them by
e-mail (SMTP_*) and SMS (the Twilio SMS channel's account and API client). Both are counted
(bot/metrics.py: escalations by channel and sign kind, pages by outcome).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any, FrozenSet, List, Optional

import yaml
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import Engine

from bot import alerts, audit, metrics, settings
from bot.alerts import email, paging
from bot.language.vocabulary import load_warning_signs
from bot.names import UNSPECIFIED_SIGN, ClientMessage, Response, Slot
from bot.rasa import timer
from bot.rasa.channels import channel_of, enabled_credentials
from bot.rasa.channels.twilio import TwilioOutput, TwilioSMSInput

logger = logging.getLogger(__name__)

PAGE_CHECK_SECONDS = 2.0
RETRY_SECONDS = 60.0  # a page that reached nobody: the next person this much later
PAGE_SENT, PAGE_FAILED = "sent", "failed"  # a page's outcome in bot/metrics.py
ESCALATIONS = {
    Response.RED_FLAG: alerts.URGENT,
    Response.RED_FLAG_EMERGENCY: alerts.EMERGENCY,
    Response.RED_FLAG_CHECK_IN: alerts.URGENT,
}


def escalation_of(tracker: DialogueStateTracker) -> Optional[alerts.Escalation]:
    """The escalation in the conversation's latest turn, if its reply was a red-flag one."""
    urgency = None
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered):
            found = ESCALATIONS.get(str((event.metadata or {}).get("utter_action") or ""))
            urgency = alerts.EMERGENCY if alerts.EMERGENCY in (urgency, found) else urgency or found
        elif isinstance(event, UserUttered):
            if urgency is None:
                return None
            sender = tracker.sender_id
            return alerts.Escalation(
                conversation_id=sender,
                channel=channel_of(sender),
                sign=str(tracker.get_slot(Slot.WARNING_SIGN) or UNSPECIFIED_SIGN),
                urgency=urgency,
                text=event.text or "",
                message_at=event.timestamp,
                test_traffic=(event.metadata or {}).get(ClientMessage.TEST_TRAFFIC) is True,
            )
    return None


@functools.lru_cache(maxsize=1)
def sign_ids() -> FrozenSet[str]:
    """The warning signs' ids (data/warning_signs.yml): a metric's sign kinds (none if the file
    cannot be read: the alerts are raised all the same)."""
    try:
        return frozenset(sign.id for sign in load_warning_signs())
    except (OSError, ValueError, yaml.YAMLError) as error:  # VocabularyError is a ValueError naming the fix
        logger.error("escalations are counted without their sign kind: %s", error)
        return frozenset()


def raise_for(engine: Engine, tracker: DialogueStateTracker) -> None:
    """Raises the alert of the conversation's latest turn, if it escalated; counts the escalation
    (once: not again when the conversation is saved again)."""
    escalation = escalation_of(tracker)
    if escalation is None:
        return
    if alerts.raise_alert(engine, escalation, paging=bool(settings.alert_escalation_list())) is not None:
        sign = metrics.sign_kind(escalation.sign, sign_ids())
        metrics.ESCALATIONS.labels(metrics.channel(escalation.channel), sign).inc()


def sms_output() -> Optional[TwilioOutput]:
    """The Twilio SMS channel's API client, if that channel is configured."""
    config = enabled_credentials(settings.PROJECT_ROOT / "credentials.yml").get(
        f"{TwilioSMSInput.__module__}.{TwilioSMSInput.__name__}"
    )
    if not config:
        return None
    return TwilioOutput(*(settings.filled(str(config[key])) for key in ("account_sid", "auth_token", "number")))


def check_configuration() -> List[paging.Person]:
    """The escalation list, refused at start if it names a way to reach people that is not set up."""
    people = paging.escalation_list(settings.alert_escalation_list())
    if any(p.emails for p in people) and settings.smtp_settings() is None:
        raise settings.ConfigurationError("ALERT_ESCALATION_LIST has mailto: addresses: set SMTP_HOST (and SMTP_*).")
    if any(p.phones for p in people) and sms_output() is None:
        raise settings.ConfigurationError(
            "ALERT_ESCALATION_LIST has sms: numbers: set the Twilio SMS channel's variables (TWILIO_*)."
        )
    return people


async def send(engine: Engine, page: paging.Page) -> None:
    """Sends one page by every way its person is reached; audits it, or what failed."""
    minutes = settings.alert_acknowledge_minutes()
    subject, text = paging.notification(page, settings.console_public_url(), minutes)
    loop = asyncio.get_running_loop()
    smtp, sms, failures = settings.smtp_settings(), sms_output(), []
    if page.person.emails and smtp is not None:
        try:
            await loop.run_in_executor(None, email.send, smtp, page.person.emails, subject, text)
        except Exception as error:  # the mail server refused or is unreachable
            failures.append(f"e-mail: {type(error).__name__}")
    for phone in page.person.phones:
        try:
            if sms is not None:
                await sms.send_text_message(phone, text)
        except Exception as error:
            failures.append(f"sms: {type(error).__name__}")
    where = f"page {page.number} to {page.person}"
    if failures:
        logger.error("alert %d: %s failed (%s)", page.alert_id, where, "; ".join(failures))
        await loop.run_in_executor(None, paging.try_sooner, engine, page.alert_id, RETRY_SECONDS)
    action = "alert_page_failed" if failures else "alert_paged"
    metrics.ALERT_PAGES.labels(PAGE_FAILED if failures else PAGE_SENT).inc()
    await loop.run_in_executor(None, audit.record, engine, alerts.ASSISTANT, action, f"alert {page.alert_id}: {where}")


async def page_regularly(people: List[paging.Person], app: Any, _: Any) -> None:
    """Pages `people` for the alerts due, every PAGE_CHECK_SECONDS (a server listener)."""
    from bot.database import database

    async def page_due() -> None:
        engine = database()
        minutes = settings.alert_acknowledge_minutes()
        for page in await asyncio.get_running_loop().run_in_executor(None, paging.claim_due, engine, people, minutes):
            await send(engine, page)

    if people:
        timer.every(app, PAGE_CHECK_SECONDS, "alerts: paging", page_due)
