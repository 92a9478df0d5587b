"""Scheduled check-ins: patients the staff enrolled (with their consent) get a short message on
chosen days after surgery (CHECK_IN_DAYS), at their preferred hour in their own time zone.

Enrolment is checked here: a procedure data/timelines.yml gives a timeline for, a real date and
IANA time zone, an hour outside the quiet hours (CHECK_IN_QUIET_HOURS), consent, and a channel on
which the clinic may write first (Twilio SMS; WhatsApp only with an approved template). Each
message is a row with its due time in UTC, computed at enrolment. A sender claims a due message
with a conditional UPDATE (scheduled -> sending) before sending it, so two servers (or `make
check-ins-due` beside them) never send the same one, and a restart never sends it again.

The missed-send rule: a message is sent if it is less than CHECK_IN_LATE_HOURS late and the
patient's local time is outside the quiet hours; otherwise it is skipped, recorded as "missed".
No Rasa here: bot/rasa/check_ins.py renders and sends.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Engine
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import audit, settings
from bot.database import CHECK_IN_ENROLMENTS, CHECK_IN_MESSAGES
from bot.names import Channel
from bot.timelines.data import TimelineData
from bot.timestamps import in_period, iso

# A message's statuses: waiting; claimed by a sender; taken by the provider; refused by it; sent
# but no answer came (the patient may have it); not sent (late, quiet hours); the enrolment stopped.
SCHEDULED, SENDING, SENT, FAILED, UNKNOWN, SKIPPED, CANCELLED = (
    "scheduled",
    "sending",
    "sent",
    "failed",
    "unknown",
    "skipped",
    "cancelled",
)
STATUSES = (SCHEDULED, SENDING, SENT, FAILED, UNKNOWN, SKIPPED, CANCELLED)
# Why an enrolment stopped.
BY_STAFF, BY_PATIENT, PROVIDER_OPT_OUT = "staff", "patient", "provider_opt_out"
PATIENT_STOPS = (BY_PATIENT, PROVIDER_OPT_OUT)  # what the patient's START undoes
ASSISTANT = "assistant"  # who the audit log names for what the servers did

# Channels on which the clinic may write first, and why the others are refused.
WRITES_FIRST = (Channel.TWILIO, Channel.TWILIO_WHATSAPP)
REFUSED_CHANNELS = {
    Channel.SOCKETIO: "the web widget only reaches a patient while they have the clinic's page open",
    Channel.REST: "the REST channel only answers the clinic's own servers' requests; it cannot reach a patient",
    Channel.TELEGRAM: "a Telegram bot may only write to someone who wrote to it, and knows no phone numbers",
    Channel.FACEBOOK: "Messenger lets a business write only within 24 hours of the person's last message",
    Channel.SLACK: "Slack reaches the clinic's workspace, not patients",
}
PHONE = re.compile(r"^\+[1-9][0-9]{7,14}$")
WHATSAPP = "whatsapp:"


class EnrolmentError(ValueError):
    """An enrolment the assistant cannot take; the message names the field and the fix."""


class AlreadyEnrolled(EnrolmentError):
    """The patient's check-ins run already."""


@dataclass(frozen=True)
class Schedule:
    """The days after surgery messages go out, the quiet hours (from, to) and how late a message may be."""

    days: Tuple[int, ...]
    quiet_hours: Tuple[int, int]
    late_hours: float
    whatsapp_template: str = ""


def schedule() -> Schedule:
    """The schedule the settings give (CHECK_IN_*)."""
    return Schedule(
        settings.check_in_days(),
        settings.check_in_quiet_hours(),
        settings.check_in_late_hours(),
        settings.check_in_whatsapp_template(),
    )


# What a patient replies to stop or restart the messages: Twilio's own opt-out and opt-in keywords
# (Twilio answers them itself on SMS), and plain "stop messages". Not "yes": it answers the check question.
STOP_WORDS = ("stop", "stopall", "unsubscribe", "cancel", "end", "quit", "stop messages", "stop these messages")
START_WORDS = ("start", "unstop")
STOP, START = "stop", "start"


def opt_out_word(text: str) -> Optional[str]:
    """STOP or START when the whole message is one of their keywords ("Stop!", "stop messages"), else None."""
    words = " ".join(re.sub(r"[^a-z ]", " ", text.lower()).split())
    return STOP if words in STOP_WORDS else START if words in START_WORDS else None


def quiet(hour: int, quiet_hours: Tuple[int, int]) -> bool:
    """Whether a local hour is in the quiet hours (21-8: 21:00 to 07:59)."""
    start, end = quiet_hours
    return start <= hour < end if start < end else hour >= start or hour < end


@dataclass(frozen=True)
class Request:
    """What the staff entered to enrol a patient."""

    channel: str
    address: str
    procedure: str
    surgery_date: str
    time_zone: str
    hour: Any
    consent: Any


# Request's text fields, by the names the console's API gives them.
REQUEST_FIELDS = {
    "channel": "channel",
    "address": "address",
    "procedure": "procedure",
    "surgery_date": "surgery_date",
    "time_zone": "timezone",
}


@dataclass(frozen=True)
class Enrolment:
    id: int
    conversation_id: str
    channel: str
    address: str
    procedure: str
    surgery_date: date
    time_zone: str
    hour: int
    stopped_at: Optional[float]
    stop_reason: Optional[str]


def _enrolment(row: Any, enrolment_id: Optional[int] = None) -> Enrolment:
    return Enrolment(
        row.id if enrolment_id is None else enrolment_id,
        row.conversation_id,
        row.channel,
        row.address,
        row.procedure,
        date.fromisoformat(row.surgery_date),
        row.time_zone,
        row.hour,
        row.stopped_at,
        row.stop_reason,
    )


def address_for(channel: str, address: str, schedule: Schedule) -> str:
    """The number messages go to on `channel`, checked; refuses a channel that cannot write first."""
    if channel in REFUSED_CHANNELS:
        raise EnrolmentError(
            f"channel {channel!r} cannot be used for check-ins: {REFUSED_CHANNELS[channel]}. "
            "Enrol the patient by SMS (channel 'twilio')."
        )
    if channel not in WRITES_FIRST:
        raise EnrolmentError(f"unknown channel {channel!r}: use 'twilio' (SMS) or 'twilio_whatsapp'.")
    number = "".join(address.split()).replace("-", "")
    number = number[len(WHATSAPP) :] if number.startswith(WHATSAPP) else number
    if not PHONE.match(number):
        raise EnrolmentError(f"address {address!r} is not a phone number in E.164 form: write e.g. +13105550123.")
    if channel == Channel.TWILIO_WHATSAPP:
        if not schedule.whatsapp_template:
            raise EnrolmentError(
                "WhatsApp lets the clinic write first only with an approved message template: set "
                "CHECK_IN_WHATSAPP_TEMPLATE to its Content SID, or enrol the patient by SMS (channel 'twilio')."
            )
        return WHATSAPP + number  # how Twilio names WhatsApp numbers, and the channel's sender ids
    return number


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise EnrolmentError(f"time zone {name!r} is unknown: use an IANA name such as America/Los_Angeles.") from None


def due_times(surgery: date, time_zone: str, hour: int, days: Sequence[int]) -> Dict[int, float]:
    """Each day's due time (UTC timestamp): the patient's hour that many days after surgery, in their zone."""
    tz = zone(time_zone)
    return {
        day: datetime.combine(surgery + timedelta(days=day), datetime.min.time(), tz).replace(hour=hour).timestamp()
        for day in days
    }


def check(request: Request, timelines: TimelineData, schedule: Schedule) -> Tuple[str, date, int]:
    """(address, surgery date, hour) of a valid request; raises EnrolmentError naming the fix."""
    if request.consent is not True:
        raise EnrolmentError("consent is missing: record that the patient agreed to the messages (consent: true).")
    address = address_for(request.channel, request.address, schedule)
    procedure = timelines.procedure(request.procedure)
    if procedure is None or not procedure.covered:
        known = ", ".join(pid for pid, _ in timelines.procedures_with_timelines())
        raise EnrolmentError(f"procedure {request.procedure!r} has no timeline in the guide: use one of {known}.")
    try:
        surgery = date.fromisoformat(str(request.surgery_date))
    except ValueError:
        raise EnrolmentError(f"surgery_date {request.surgery_date!r} is not a date: write YYYY-MM-DD.") from None
    zone(str(request.time_zone))
    if isinstance(request.hour, bool) or not isinstance(request.hour, int) or not 0 <= request.hour <= 23:
        raise EnrolmentError(f"hour {request.hour!r} is not an hour: write a whole number from 0 to 23.")
    if quiet(request.hour, schedule.quiet_hours):
        start, end = schedule.quiet_hours
        raise EnrolmentError(
            f"hour {request.hour} is in the quiet hours ({start}:00 to {end}:00, CHECK_IN_QUIET_HOURS): choose another."
        )
    return address, surgery, request.hour


def enrol(
    engine: Engine,
    request: Request,
    timelines: TimelineData,
    schedule: Schedule,
    staff: str,
    now: Optional[float] = None,
) -> int:
    """Enrols a patient (consent recorded as given to `staff` now) and schedules the days still
    ahead; returns the enrolment's id. Audited."""
    now = time.time() if now is None else now
    address, surgery, hour = check(request, timelines, schedule)
    due = {day: at for day, at in due_times(surgery, request.time_zone, hour, schedule.days).items() if at > now}
    if not due:
        raise EnrolmentError(f"every check-in day ({schedule.days[-1]} days after surgery at most) has passed.")
    conversation_id = f"{request.channel}:{address}"
    with engine.begin() as connection:
        running = connection.execute(
            select(CHECK_IN_ENROLMENTS.c.id).where(
                CHECK_IN_ENROLMENTS.c.conversation_id == conversation_id,
                CHECK_IN_ENROLMENTS.c.stopped_at.is_(None),
                CHECK_IN_ENROLMENTS.c.ends_at > now,
            )
        ).first()
        if running is not None:
            raise AlreadyEnrolled(f"this patient is enrolled already (enrolment {running.id}): stop it first.")
        enrolment_id = connection.execute(
            insert(CHECK_IN_ENROLMENTS).values(
                conversation_id=conversation_id,
                channel=request.channel,
                address=address,
                procedure=request.procedure,
                surgery_date=surgery.isoformat(),
                time_zone=request.time_zone,
                hour=hour,
                consent_by=staff,
                consent_at=now,
                created_at=now,
                ends_at=max(due.values()),
            )
        ).inserted_primary_key[0]
        connection.execute(
            insert(CHECK_IN_MESSAGES),
            [{"enrolment_id": enrolment_id, "day": day, "due_at": at, "status": SCHEDULED} for day, at in due.items()],
        )
    audit.record(engine, staff, "check_in_enrolled", f"enrolment {enrolment_id}: {conversation_id}")
    return int(enrolment_id)


@dataclass(frozen=True)
class Due:
    """A check-in claimed for sending: the message, its day and the enrolment."""

    message_id: int
    day: int
    enrolment: Enrolment


def claim_due(engine: Engine, schedule: Schedule, now: Optional[float] = None) -> List[Due]:
    """The messages due now, each claimed for this sender (scheduled -> sending, only if nobody
    else claimed it); those too late or due in the patient's quiet hours are skipped instead."""
    now = time.time() if now is None else now
    with engine.connect() as connection:
        rows = connection.execute(
            select(CHECK_IN_MESSAGES, CHECK_IN_ENROLMENTS)
            .join(CHECK_IN_ENROLMENTS, CHECK_IN_ENROLMENTS.c.id == CHECK_IN_MESSAGES.c.enrolment_id)
            .where(
                CHECK_IN_MESSAGES.c.status == SCHEDULED,
                CHECK_IN_MESSAGES.c.due_at <= now,
                CHECK_IN_ENROLMENTS.c.stopped_at.is_(None),
            )
            .order_by(CHECK_IN_MESSAGES.c.due_at)
        ).all()
    claimed = []
    for row in rows:
        message_id = row._mapping[CHECK_IN_MESSAGES.c.id]
        late = now - row.due_at >= schedule.late_hours * 3600
        local_hour = datetime.fromtimestamp(now, zone(row.time_zone)).hour
        problem = "missed: too late" if late else ""
        problem = problem or ("missed: quiet hours" if quiet(local_hour, schedule.quiet_hours) else "")
        values: Dict[str, Any] = {"claimed_at": now, "status": SKIPPED, "problem": problem} if problem else {}
        with engine.begin() as connection:
            won = connection.execute(
                update(CHECK_IN_MESSAGES)
                .where(CHECK_IN_MESSAGES.c.id == message_id, CHECK_IN_MESSAGES.c.status == SCHEDULED)
                .values(values or {"claimed_at": now, "status": SENDING})
            ).rowcount
        if won == 1 and not problem:
            claimed.append(Due(message_id, row.day, _enrolment(row, enrolment_id=row.enrolment_id)))
    return claimed


def finish(engine: Engine, message_id: int, status: str, problem: str = "", now: Optional[float] = None) -> None:
    """Records what became of a claimed message: SENT, FAILED or UNKNOWN (with why, no text)."""
    now = time.time() if now is None else now
    with engine.begin() as connection:
        connection.execute(
            update(CHECK_IN_MESSAGES)
            .where(CHECK_IN_MESSAGES.c.id == message_id, CHECK_IN_MESSAGES.c.status == SENDING)
            .values(status=status, problem=problem or None, sent_at=now if status != FAILED else None)
        )


def stop(engine: Engine, enrolment_id: int, reason: str, who: str, now: Optional[float] = None) -> bool:
    """Ends an enrolment's messages (those not yet sent are cancelled); False if it had stopped. Audited."""
    return _switch(
        engine,
        enrolment_id,
        CHECK_IN_ENROLMENTS.c.stopped_at.is_(None),
        {"stopped_at": time.time() if now is None else now, "stop_reason": reason},
        CHECK_IN_MESSAGES.c.status == SCHEDULED,
        {"status": CANCELLED, "problem": f"stopped: {reason}"},
        (who, "check_in_stopped", f"enrolment {enrolment_id}: {reason}"),
    )


def restart(engine: Engine, enrolment_id: int, who: str, now: Optional[float] = None) -> bool:
    """Resumes a stopped enrolment: its messages still ahead are scheduled again. Audited."""
    return _switch(
        engine,
        enrolment_id,
        CHECK_IN_ENROLMENTS.c.stopped_at.is_not(None),
        {"stopped_at": None, "stop_reason": None},
        and_(
            CHECK_IN_MESSAGES.c.status == CANCELLED, CHECK_IN_MESSAGES.c.due_at > (time.time() if now is None else now)
        ),
        {"status": SCHEDULED, "problem": None},
        (who, "check_in_restarted", f"enrolment {enrolment_id}"),
    )


def _switch(
    engine: Engine,
    enrolment_id: int,
    enrolment_is: Any,
    enrolment_values: Dict[str, Any],
    messages_are: Any,
    message_values: Dict[str, Any],
    audited: Tuple[str, str, str],
) -> bool:
    """Changes the enrolment if it is as `enrolment_is` says, and its messages as `messages_are`
    says; audits it if the enrolment changed."""
    with engine.begin() as connection:
        changed = connection.execute(
            update(CHECK_IN_ENROLMENTS)
            .where(CHECK_IN_ENROLMENTS.c.id == enrolment_id, enrolment_is)
            .values(**enrolment_values)
        ).rowcount
        connection.execute(
            update(CHECK_IN_MESSAGES)
            .where(CHECK_IN_MESSAGES.c.enrolment_id == enrolment_id, messages_are)
            .values(**message_values)
        )
    if changed:
        audit.record(engine, *audited)
    return bool(changed)


def of_conversation(engine: Engine, conversation_id: str) -> Optional[Enrolment]:
    """The conversation's latest enrolment, if any."""
    with engine.connect() as connection:
        row = connection.execute(
            select(CHECK_IN_ENROLMENTS)
            .where(CHECK_IN_ENROLMENTS.c.conversation_id == conversation_id)
            .order_by(CHECK_IN_ENROLMENTS.c.id.desc())
        ).first()
    return None if row is None else _enrolment(row)


def answered(engine: Engine, conversation_id: str, at: float) -> None:
    """Marks the conversation's check-ins sent and not yet answered as answered at `at` (the caller
    knows the message came after them: it follows them in the conversation)."""
    with engine.begin() as connection:
        ids = select(CHECK_IN_ENROLMENTS.c.id).where(CHECK_IN_ENROLMENTS.c.conversation_id == conversation_id)
        connection.execute(
            update(CHECK_IN_MESSAGES)
            .where(
                and_(
                    CHECK_IN_MESSAGES.c.enrolment_id.in_(ids),
                    CHECK_IN_MESSAGES.c.sent_at.is_not(None),
                    CHECK_IN_MESSAGES.c.answered_at.is_(None),
                )
            )
            .values(answered_at=at)
        )


UNANSWERED_FOR_STAFF = 2  # this many sent check-ins in a row without an answer: the console shows it


def unanswered_in_a_row(messages: Sequence[Dict[str, Any]]) -> int:
    """How many of the latest sent check-ins (in schedule order) got no answer, in a row."""
    count = 0
    for message in reversed([m for m in messages if m["sent_at"]]):
        if message["answered_at"]:
            break
        count += 1
    return count


def response_rate(engine: Engine, since: Optional[float], until: Optional[float]) -> Dict[str, int]:
    """Check-ins sent in [since, until) and how many of them were answered, for the dashboard."""
    conditions = [CHECK_IN_MESSAGES.c.sent_at.is_not(None), *in_period(CHECK_IN_MESSAGES.c.sent_at, since, until)]
    with engine.connect() as connection:
        rows = connection.execute(select(CHECK_IN_MESSAGES.c.answered_at).where(*conditions)).all()
    return {"sent": len(rows), "answered": sum(1 for row in rows if row.answered_at is not None)}


def listing(engine: Engine, enrolment_id: Optional[int] = None) -> List[Dict[str, Any]]:
    """Every enrolment (or the one with that id), newest first, with its schedule (as the console's API shows them)."""
    only_e = [] if enrolment_id is None else [CHECK_IN_ENROLMENTS.c.id == enrolment_id]
    only_m = [] if enrolment_id is None else [CHECK_IN_MESSAGES.c.enrolment_id == enrolment_id]
    with engine.connect() as connection:
        enrolments = connection.execute(
            select(CHECK_IN_ENROLMENTS).where(*only_e).order_by(CHECK_IN_ENROLMENTS.c.id.desc())
        ).all()
        messages = connection.execute(
            select(CHECK_IN_MESSAGES).where(*only_m).order_by(CHECK_IN_MESSAGES.c.due_at)
        ).all()
    schedule: Dict[int, List[Dict[str, Any]]] = {}
    for m in messages:
        schedule.setdefault(m.enrolment_id, []).append(
            {
                "id": m.id,
                "day": m.day,
                "due_at": iso(m.due_at),
                "status": m.status,
                "problem": m.problem,
                "sent_at": iso(m.sent_at),
                "answered_at": iso(m.answered_at),
            }
        )
    return [
        {
            "id": e.id,
            "conversation_id": e.conversation_id,
            "channel": e.channel,
            "address": e.address,
            "procedure": e.procedure,
            "surgery_date": e.surgery_date,
            "timezone": e.time_zone,
            "hour": e.hour,
            "consent_by": e.consent_by,
            "consent_at": iso(e.consent_at),
            "created_at": iso(e.created_at),
            "stopped_at": iso(e.stopped_at),
            "stop_reason": e.stop_reason,
            "messages": schedule.get(e.id, []),
            "unanswered_in_a_row": unanswered_in_a_row(schedule.get(e.id, [])),
        }
        for e in enrolments
    ]
