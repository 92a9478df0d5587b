"""The outbox (bot/rasa/channels/outbox.py) on both databases, sending through the Telegram channel
to the local stand-in: escalations first, a failing reply holds the next for one attempt only,
only what certainly did not arrive is sent again, lost replies are recorded and counted, and two
servers never both send a reply."""

import asyncio
import time
import uuid

import pytest
from sqlalchemy import create_engine, select, update

from bot import settings
from bot.database import OUTBOX, database
from bot.names import Channel, Response
from bot.outcomes import FAILED, PENDING, SENDING, SENT, UNKNOWN
from bot.rasa.channels import outbox, provider
from bot.rasa.channels.telegram import TelegramOutput
from tests.rasa.stores import DATABASES, database_url

TIMEOUT_SECONDS = 2.0  # generous: a loaded machine can take over 0.5 s to connect to the stand-in
CHAT = "42"


@pytest.fixture(autouse=True)
def quick(monkeypatch, provider_api):
    """Replies go to the stand-in, calls time out quickly, retries come soon."""
    monkeypatch.setenv("TELEGRAM_API_URL", provider_api.url)
    monkeypatch.setenv("PROVIDER_CALL_TIMEOUT_SECONDS", str(TIMEOUT_SECONDS))
    monkeypatch.setattr(provider, "RETRY_DELAYS_SECONDS", (0.5, 0.5))


@pytest.fixture(params=DATABASES)
def engine(request, tmp_path):
    return database(database_url(request, tmp_path, OUTBOX))


@pytest.fixture
def telegram():
    """A Telegram bot of its own (its token names the calls to the stand-in)."""
    token = uuid.uuid4().hex
    return TelegramOutput(token), f"/bot{token}/sendMessage"


async def turn(*replies):
    """A turn's replies as Rasa hands them to the channel: (response, text) each."""
    collected = outbox.TurnReplies()
    for response, text in replies:
        await collected.send_response(CHAT, {"text": text, "utter_action": response})
    return collected.messages


def rows(engine):
    with engine.connect() as connection:
        return connection.execute(select(OUTBOX).order_by(OUTBOX.c.id)).all()


def texts(calls):
    return [call.json["text"] for call in calls]


async def until(condition, seconds: float = 5) -> None:
    """Waits, letting the background retries run, until `condition()` holds."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


async def test_an_escalation_goes_first_and_each_reply_is_recorded_as_sent(engine, telegram, provider_api):
    output, path = telegram
    replies = await turn((Response.DISCLAIMER, "I'm the assistant."), (Response.RED_FLAG_EMERGENCY, "Call 911."))
    await outbox.Outbox(Channel.TELEGRAM, output, engine).send("telegram:42", CHAT, replies)
    assert texts(provider_api.calls_to(path)) == ["Call 911.", "I'm the assistant."]
    recorded = rows(engine)
    assert [(r.status, r.attempts, r.escalation) for r in recorded] == [(SENT, 1, True), (SENT, 1, False)]
    assert {r.reference for r in recorded} == {outbox.reference("telegram:42")}
    assert "42" not in recorded[0].reference


async def test_a_reply_that_did_not_arrive_is_retried_without_holding_the_next(engine, telegram, provider_api):
    output, path = telegram
    provider_api.misbehave(path, status=503, containing="first")
    replies = await turn((Response.DISCLAIMER, "first"), (Response.GREET, "second"))
    await outbox.Outbox(Channel.TELEGRAM, output, engine).send("telegram:42", CHAT, replies)
    assert texts(provider_api.calls_to(path)) == ["first", "second"]  # the retry comes later
    await until(lambda: rows(engine)[0].status == SENT)
    assert texts(provider_api.calls_to(path)) == ["first", "second", "first"]
    assert [(r.status, r.attempts) for r in rows(engine)] == [(SENT, 2), (SENT, 1)]


@pytest.mark.parametrize(
    "how, status",
    [({"delay": 3 * TIMEOUT_SECONDS}, UNKNOWN), ({"drop": True}, UNKNOWN), ({"status": 400}, FAILED)],
    ids=["no answer in time", "connection dropped", "refused"],
)
async def test_a_reply_without_an_answer_or_refused_is_lost_and_never_sent_again(
    engine, telegram, provider_api, how, status
):
    output, path = telegram
    provider_api.misbehave(path, **how)
    before = outbox.counts(Channel.TELEGRAM)[status]
    await outbox.Outbox(Channel.TELEGRAM, output, engine).send("telegram:42", CHAT, await turn((Response.GREET, "hi")))
    await asyncio.sleep(2 * max(provider.RETRY_DELAYS_SECONDS))  # when a retry would have come
    assert len(provider_api.calls_to(path)) == 1
    [row] = rows(engine)
    assert (row.status, row.attempts) == (status, 1) and "telegram API" in row.problem
    assert outbox.counts(Channel.TELEGRAM)[status] == before + 1


async def test_a_reply_unreachable_after_every_retry_failed(engine, telegram, provider_api):
    output, path = telegram
    provider_api.misbehave(path, times=3, status=503)
    await outbox.Outbox(Channel.TELEGRAM, output, engine).send("telegram:42", CHAT, await turn((Response.GREET, "hi")))
    await until(lambda: rows(engine)[0].status == FAILED)
    assert len(provider_api.calls_to(path)) == 3
    [row] = rows(engine)
    assert (row.status, row.attempts, row.problem) == (FAILED, 3, "telegram API answered HTTP 503")


async def test_a_pending_reply_nobody_claimed_is_sent_by_one_server_only(engine, telegram, provider_api, monkeypatch):
    output, path = telegram
    monkeypatch.setattr(outbox, "CLAIM_GRACE_SECONDS", 0)
    [reply] = outbox.turn("telegram:42", CHAT, await turn((Response.RED_FLAG, "Call your surgeon.")))
    outbox.record(engine, Channel.TELEGRAM, "telegram:42", [reply])  # its server died before sending it
    servers = [outbox.Outbox(Channel.TELEGRAM, output, engine) for _ in range(3)]
    await asyncio.gather(*(server.sweep() for server in servers))
    assert texts(provider_api.calls_to(path)) == ["Call your surgeon."]
    assert [(r.status, r.attempts) for r in rows(engine)] == [(SENT, 1)]


async def test_a_reply_whose_server_died_mid_call_becomes_unknown(engine, telegram, provider_api):
    output, path = telegram
    [reply] = outbox.record(engine, Channel.TELEGRAM, "telegram:42", outbox.turn("telegram:42", CHAT, [{"text": "x"}]))
    assert outbox.claim(engine, reply.id) and not outbox.claim(engine, reply.id)
    long_ago = time.time() - outbox.ABANDONED_AFTER_TIMEOUT_SECONDS - 10 * TIMEOUT_SECONDS
    with engine.begin() as connection:
        connection.execute(update(OUTBOX).values(updated_at=long_ago))
    await outbox.Outbox(Channel.TELEGRAM, output, engine).sweep()
    assert [(r.status, r.problem) for r in rows(engine)] == [(UNKNOWN, outbox.ABANDONED)]
    assert provider_api.calls_to(path) == []


async def test_a_reply_due_longer_than_the_maximum_delay_is_not_sent_but_lost(engine, telegram, provider_api):
    output, path = telegram
    messages = await turn((Response.RED_FLAG, "Call your surgeon."))
    outbox.record(engine, Channel.TELEGRAM, "telegram:42", outbox.turn("telegram:42", CHAT, messages))
    long_ago = time.time() - float(settings.REPLY_MAX_DELAY_SECONDS.default) - 60  # every server was down
    with engine.begin() as connection:
        connection.execute(update(OUTBOX).values(claimable_at=long_ago))
    await outbox.Outbox(Channel.TELEGRAM, output, engine).sweep()
    assert [(r.status, r.problem, r.escalation) for r in rows(engine)] == [(FAILED, outbox.TOO_LATE, True)]
    assert provider_api.calls_to(path) == []


async def test_a_reply_is_sent_when_the_database_fails(telegram, provider_api, tmp_path):
    output, path = telegram
    broken = create_engine(f"sqlite:///{tmp_path}/missing/conversations.db")
    await outbox.Outbox(Channel.TELEGRAM, output, broken).send("telegram:42", CHAT, await turn((Response.GREET, "hi")))
    await until(lambda: bool(provider_api.calls_to(path)))  # on the first attempt, or a retry without the database
    assert texts(provider_api.calls_to(path)) == ["hi"]


def test_a_row_waits_pending_until_claimed(engine):
    [reply] = outbox.record(engine, Channel.TELEGRAM, "telegram:42", outbox.turn("telegram:42", CHAT, [{"text": "x"}]))
    assert rows(engine)[0].status == PENDING and outbox.due(engine, Channel.TELEGRAM) == []
    assert outbox.claim(engine, reply.id) and rows(engine)[0].status == SENDING
