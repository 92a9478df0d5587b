"""Paging the escalation list: an open alert goes to one person at a time until someone
acknowledges it in the console.

ALERT_ESCALATION_LIST names the people in order; each is reached by e-mail and/or SMS. An alert
is paged to the first person at once; if nobody acknowledged it ALERT_ACKNOWLEDGE_MINUTES later,
to the next (after the last, the first again). A notification names the sign's category, the
channel and a link to the alert in the console, never the patient's words. Every Rasa server
checks for due pages; a page is claimed in the database first (its count and due time change
only if nobody else changed them), so two servers never send the same page.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import List, Optional, Tuple

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from bot.alerts import EMERGENCY, OPEN
from bot.database import ALERTS
from bot.settings import ConfigurationError

EMAIL, SMS = "mailto:", "sms:"


@dataclass(frozen=True)
class Person:
    """One person on the escalation list, and how to reach them."""

    emails: Tuple[str, ...] = ()
    phones: Tuple[str, ...] = ()

    def __str__(self) -> str:
        return " ".join([*(EMAIL + e for e in self.emails), *(SMS + p for p in self.phones)])


@dataclass(frozen=True)
class Page:
    """A notification due: which alert, to whom, the how-manieth."""

    alert_id: int
    channel: str
    sign: str
    urgency: str
    person: Person
    number: int


def escalation_list(entries: List[str]) -> List[Person]:
    """The people of ALERT_ESCALATION_LIST's entries ("mailto:a@clinic.org sms:+13105550100")."""
    people = []
    for entry in entries:
        emails, phones = [], []
        for address in entry.split():
            if address.startswith(EMAIL) and "@" in address[len(EMAIL) :]:
                emails.append(address[len(EMAIL) :])
            elif address.startswith(SMS) and address[len(SMS) :].lstrip("+").isdigit():
                phones.append(address[len(SMS) :])
            else:
                raise ConfigurationError(
                    f"ALERT_ESCALATION_LIST: {address!r} is neither mailto:<address> nor sms:+<number>; "
                    "write each person as e.g. 'mailto:nurse@clinic.org sms:+13105550100', people separated by commas."
                )
        people.append(Person(tuple(emails), tuple(phones)))
    return people


def claim_due(engine: Engine, people: List[Person], minutes: float, now: Optional[float] = None) -> List[Page]:
    """The pages due now, each claimed for this server: the alert's next page is set
    `minutes` later, for the next person."""
    now = time.time() if now is None else now
    if not people:
        return []
    claimed = []
    with engine.connect() as connection:
        due = connection.execute(
            select(ALERTS).where(ALERTS.c.state == OPEN, ALERTS.c.test_traffic.is_(False), ALERTS.c.page_at <= now)
        ).all()
    for row in due:
        with engine.begin() as connection:
            won = connection.execute(
                update(ALERTS)
                .where(ALERTS.c.id == row.id, ALERTS.c.state == OPEN, ALERTS.c.pages == row.pages)
                .values(pages=row.pages + 1, page_at=now + minutes * 60, updated_at=now)
            ).rowcount
        if won == 1:
            person = people[row.pages % len(people)]
            claimed.append(Page(row.id, row.channel, row.sign, row.urgency, person, row.pages + 1))
    return claimed


def try_sooner(engine: Engine, alert_id: int, seconds: float, now: Optional[float] = None) -> None:
    """A page that reached nobody: the next person is paged in `seconds`, not a whole interval later."""
    now = time.time() if now is None else now
    with engine.begin() as connection:
        connection.execute(
            update(ALERTS).where(ALERTS.c.id == alert_id, ALERTS.c.state == OPEN).values(page_at=now + seconds)
        )


def notification(page: Page, console_url: str, minutes: float) -> Tuple[str, str]:
    """(subject, text) of a page: the sign's category and a link, never the patient's words."""
    sign = page.sign.replace("_", " ")
    kind = "EMERGENCY warning sign" if page.urgency == EMERGENCY else "Warning sign"
    subject = f"{kind}: {sign} (spine assistant alert {page.alert_id})"
    text = (
        f"{kind} reported to the spine assistant: {sign}, on {page.channel}. "
        f"Open and acknowledge it in the staff console: {console_url.rstrip('/')}/#alerts/{page.alert_id} "
        f"(page {page.number}; if nobody acknowledges it within {minutes:g} min, the next person is paged)."
    )
    return subject, text
