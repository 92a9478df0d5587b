"""Telegram: the webhook is registered with a secret; Updates in (built with python-telegram-bot, the
provider's own SDK), sendMessage out."""

import itertools
import json
import time
from datetime import datetime, timezone
from typing import Optional

import pytest
import requests
from hypothesis import given, settings
from telegram import CallbackQuery, Chat, Message, Update, User

from bot.rasa.channels import signed_webhook
from bot.rasa.channels.payload import json_fields
from bot.rasa.channels.signed_webhook import ASK_FOR_A_PRIVATE_CHAT, POINTER
from bot.rasa.channels.telegram import TelegramInput, message_of
from bot.rasa.conversation_store import StoreUnavailable
from tests.conftest import CHANNEL_SECRETS
from tests.rasa.channels.in_process import in_process
from tests.rasa.channels.malformed import json_bodies
from tests.rasa.stores import held_by_another_writer

TOKEN = CHANNEL_SECRETS["TELEGRAM_TOKEN"]
SECRET = CHANNEL_SECRETS["TELEGRAM_SECRET_TOKEN"]
REPLY_PATH = f"/bot{TOKEN}/sendMessage"
_update_ids = itertools.count(10000)


GROUP = {"id": -1001234567890, "type": "supergroup", "title": "Spine recovery"}


SENT_AT = datetime(2015, 9, 7, 17, 5, 32, tzinfo=timezone.utc)


def person(user_id: int) -> User:
    return User(id=user_id, is_bot=False, first_name="Test")


def private_chat(user_id: int) -> Chat:
    return Chat(id=user_id, type=Chat.PRIVATE, first_name="Test")


def update(user_id: int, text: str, update_id: int = 0, chat: Optional[dict] = None) -> dict:
    """A Telegram Update with a text message, made by python-telegram-bot, in the person's private
    chat unless `chat` says otherwise."""
    where = Chat(id=chat["id"], type=chat["type"], title=chat.get("title")) if chat else private_chat(user_id)
    message = Message(message_id=1365, date=SENT_AT, chat=where, from_user=person(user_id), text=text)
    return Update(update_id or next(_update_ids), message=message).to_dict()


def button_press(user_id: int, data: str) -> dict:
    """A press of an inline keyboard button (a callback query), made by python-telegram-bot."""
    pressed = Message(message_id=1366, date=SENT_AT, chat=private_chat(user_id))
    query = CallbackQuery("4382bfdwdsb323b2d9", person(user_id), "-1234", message=pressed, data=data)
    return Update(next(_update_ids), callback_query=query).to_dict()


def post(assistant, body: dict, secret: str = SECRET) -> requests.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    return requests.post(f"{assistant.rasa_url}/webhooks/telegram/webhook", json=body, headers=headers, timeout=60)


def deliver(assistant, sender: str, text: str, delivery_id: str = "") -> requests.Response:
    """Delivers a message as Telegram does; the same delivery_id makes it a re-delivery."""
    return post(assistant, update(int(sender), text, int(delivery_id or 0)))


def test_the_webhook_is_registered_with_its_secret(assistant, provider_api):
    [registration] = provider_api.calls_to(f"/bot{TOKEN}/setWebhook")[:1]
    assert registration.json == {
        "url": CHANNEL_SECRETS["TELEGRAM_WEBHOOK_URL"],
        "secret_token": CHANNEL_SECRETS["TELEGRAM_SECRET_TOKEN"],
    }


def test_a_message_is_answered_with_send_message(assistant, provider_api):
    mark = provider_api.mark()
    assert post(assistant, update(1111111, "is spinal fusion the same as a disc replacement?")).status_code == 200
    sent = [c.json for c in provider_api.wait_for(f"/bot{TOKEN}/sendMessage", mark, count=2)]
    assert all(m["chat_id"] == "1111111" for m in sent)
    assert any(m["text"].startswith("No. Spinal fusion stops motion at the treated level") for m in sent)


def test_choices_are_an_inline_keyboard_and_a_press_picks_one(assistant, provider_api):
    mark = provider_api.mark()
    post(assistant, update(2222222, "how long does recovery take?"))
    question = provider_api.wait_for(f"/bot{TOKEN}/sendMessage", mark, count=2)[-1].json
    keyboard = question["reply_markup"]["inline_keyboard"]
    assert keyboard[1] == [{"text": "Decompression", "callback_data": "2"}]
    mark = provider_api.mark()
    post(assistant, button_press(2222222, "2"))
    assert (
        "It typically takes 4–8 weeks to reach near-full mobility."
        in provider_api.wait_for(f"/bot{TOKEN}/sendMessage", mark)[-1].json["text"]
    )
    [answered] = provider_api.calls_to(f"/bot{TOKEN}/answerCallbackQuery", mark)
    assert answered.json == {"callback_query_id": "4382bfdwdsb323b2d9"}


def test_requests_without_the_secret_are_rejected(assistant, provider_api):
    mark = provider_api.mark()
    assert post(assistant, update(3333333, "hello"), secret="").status_code == 403
    assert post(assistant, update(3333333, "hello"), secret="guessed").status_code == 403
    assert provider_api.calls_to("/sendMessage", mark) == []


def sent_to(calls) -> list:
    return [(c.json["chat_id"], c.json["text"]) for c in calls]


def wait_for_chat(provider_api, chat_id, since: int, count: int, timeout: float = 20) -> list:
    """The texts sent to one chat after `since`, waiting until there are `count` (another test's
    late replies to other chats do not count)."""

    def to_chat(call) -> bool:
        return call.json["chat_id"] == str(chat_id)

    return [text for _, text in sent_to(provider_api.wait_for(REPLY_PATH, since, count, timeout, to_chat))]


def test_a_group_message_is_answered_in_private_and_the_group_gets_a_pointer(assistant, provider_api):
    mark = provider_api.mark()
    assert post(assistant, update(6666661, "where is the clinic?", chat=GROUP)).status_code == 200
    sent = sent_to(provider_api.wait_for(REPLY_PATH, mark, count=3))
    assert [chat for chat, _ in sent] == ["6666661", "6666661", str(GROUP["id"])]
    assert "8631 W. 3rd Street" in sent[1][1] and sent[2][1] == POINTER


def test_a_person_who_has_not_started_the_bot_is_asked_to_in_the_group_never_answered_there(assistant, provider_api):
    # Telegram: the bot can't initiate a conversation, so both replies (disclaimer, answer) are refused
    provider_api.misbehave(REPLY_PATH, times=2, status=403)
    mark = provider_api.mark()
    assert post(assistant, update(6666662, "where is the clinic?", chat=GROUP)).status_code == 200
    sent = sent_to(provider_api.wait_for(REPLY_PATH, mark, count=3))
    assert [chat for chat, _ in sent[:2]] == ["6666662", "6666662"]  # refused: lost, listed for the staff
    assert sent[2] == (str(GROUP["id"]), ASK_FOR_A_PRIVATE_CHAT)
    assert len(provider_api.wait_for(REPLY_PATH, mark, count=4, timeout=3)) == 3  # nothing more, after the refusal


def test_two_people_in_one_group_have_separate_conversations(assistant, client, provider_api):
    mark = provider_api.mark()
    post(assistant, update(6666664, "i had a fusion 6 weeks ago", chat=GROUP))
    post(assistant, update(6666665, "how long is recovery?", chat=GROUP))
    assert wait_for_chat(provider_api, GROUP["id"], mark, count=2) == [POINTER, POINTER]  # each after its replies
    for person_id, own in ((6666664, "i had a fusion 6 weeks ago"), (6666665, "how long is recovery?")):
        tracker = client._get(f"/conversations/telegram:{person_id}/tracker")
        assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == [own]


@pytest.mark.parametrize(
    "written, read",
    [
        ("@spine_clinic_bot how long is recovery?", "how long is recovery?"),
        ("how long is recovery @Spine_Clinic_Bot", "how long is recovery"),
        ("/start@spine_clinic_bot", "/start"),
        ("ask @my_sister about robots", "ask @my_sister about robots"),
    ],
)
def test_a_group_message_is_read_without_the_bots_name(written, read):
    incoming = message_of(json_fields(json.dumps(update(6666666, written, chat=GROUP)).encode()))
    assert incoming is not None and incoming.text == read and incoming.shared_chat == str(GROUP["id"])


def test_a_private_message_is_read_as_written():
    incoming = message_of(json_fields(json.dumps(update(6666666, "@spine_clinic_bot hi")).encode()))
    assert incoming is not None and incoming.text == "@spine_clinic_bot hi"


def test_a_private_chat_and_a_group_are_one_conversation(assistant, client, provider_api):
    mark = provider_api.mark()
    post(assistant, update(6666663, "i had a microdiscectomy 3 weeks ago"))
    assert len(wait_for_chat(provider_api, 6666663, mark, count=2)) == 2
    mark = provider_api.mark()
    post(assistant, update(6666663, "what stage of recovery am i in?", chat=GROUP))
    assert wait_for_chat(provider_api, GROUP["id"], mark, count=1) == [POINTER]  # sent after the replies
    tracker = client._get("/conversations/telegram:6666663/tracker")
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == [
        "i had a microdiscectomy 3 weeks ago",
        "what stage of recovery am i in?",
    ]


@pytest.fixture(scope="module")
def webhook(provider_api, tmp_path_factory):
    channel = TelegramInput(TOKEN, CHANNEL_SECRETS["TELEGRAM_WEBHOOK_URL"], SECRET)
    with in_process(channel, provider_api.url, tmp_path_factory.mktemp("telegram")) as webhook:
        yield webhook


SIGNED = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
MESSAGE_FIELDS = [("update_id",)] + [("message", *key) for key in [(), ("text",), ("from",), ("from", "id")]]
MESSAGE_FIELDS += [("message", *key) for key in [("from", "is_bot"), ("chat",), ("chat", "id"), ("chat", "type")]]
PRESS_FIELDS = [("callback_query", *key) for key in [(), ("id",), ("data",), ("from",), ("from", "id")]]
PRESS_FIELDS += [("callback_query", *key) for key in [("message",), ("message", "chat"), ("message", "chat", "id")]]


@settings(max_examples=50, deadline=None)
@given(
    json_bodies(update(4444444, "hello", chat=GROUP), MESSAGE_FIELDS)
    | json_bodies(button_press(4444444, "1"), PRESS_FIELDS)
)
def test_a_malformed_update_is_refused_with_400(webhook, body):
    status, reason = webhook.post(body, SIGNED)
    assert status == 400 and reason.startswith("not a telegram delivery: ") and not webhook.messages


def with_message(**changes) -> dict:
    """The group update with fields of its message changed (None: left out)."""
    body = update(4444444, "hello", chat=GROUP)
    return {**body, "message": {k: v for k, v in {**body["message"], **changes}.items() if v is not None}}


PHOTO = [{"file_id": "AgADBAADbqcxG-g", "file_unique_id": "AQADbqcxGw", "width": 90, "height": 90}]
ANONYMOUS_ADMIN = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
INLINE_PRESS = {"id": "4382bfdwdsb323b2d9", "from": {"id": 5, "is_bot": False, "first_name": "Test"}, "data": "1"}


@pytest.mark.parametrize(
    "body",
    [
        with_message(photo=PHOTO, text=None),
        with_message(**{"from": ANONYMOUS_ADMIN, "sender_chat": GROUP}),
        {"update_id": 6, "channel_post": {"message_id": 8, "date": 1441645532, "chat": GROUP, "text": "news"}},
        {"update_id": 7, "callback_query": {**INLINE_PRESS, "chat_instance": "-1234", "inline_message_id": "AAA"}},
    ],
)
def test_an_update_without_a_patient_message_is_acknowledged(webhook, body):
    assert webhook.post(json.dumps(body).encode(), SIGNED) == (200, '{"ok":true}') and not webhook.messages


def test_a_secret_of_any_text_is_refused_with_403(webhook):
    body = json.dumps(update(5555555, "hello")).encode()
    assert webhook.post(body, {"X-Telegram-Bot-Api-Secret-Token": "clé"})[0] == 403


def test_a_message_whose_handling_failed_is_handled_again_and_only_the_completed_handlings_replies_go_out(
    webhook, provider_api, monkeypatch
):
    monkeypatch.setattr(signed_webhook, "HANDLING_RETRY_PAUSES_SECONDS", (0.0, 0.0, 0.0))
    webhook.failure, webhook.failures = StoreUnavailable("conversation database unavailable (save)"), 2
    mark, handled = provider_api.mark(), len(webhook.messages)
    try:
        assert webhook.post(json.dumps(update(7777771, "hello")).encode(), SIGNED)[0] == 200
    finally:
        webhook.failure, webhook.failures = None, None
    assert len(webhook.messages) == handled + 3
    assert [call.json["text"] for call in provider_api.calls_to(REPLY_PATH, mark)] == [f"reply {handled + 3}"]


def test_a_message_that_never_could_be_handled_is_still_answered_with_its_last_replies(
    webhook, provider_api, monkeypatch
):
    monkeypatch.setattr(signed_webhook, "HANDLING_RETRY_PAUSES_SECONDS", (0.0, 0.0, 0.0))
    webhook.failure = StoreUnavailable("conversation database unavailable (save)")
    mark, handled = provider_api.mark(), len(webhook.messages)
    try:
        assert webhook.post(json.dumps(update(7777772, "hello")).encode(), SIGNED)[0] == 200
    finally:
        webhook.failure = None
    assert len(webhook.messages) == handled + 4
    assert [call.json["text"] for call in provider_api.calls_to(REPLY_PATH, mark)] == [f"reply {handled + 4}"]


QUESTION = "will there be screws and rods in my back after fusion?"


def test_a_message_a_real_server_could_not_store_is_handled_again_and_answered_once_stored(
    shared_assistant, tmp_path, provider_api
):
    mark = provider_api.mark()
    post(shared_assistant, update(7777773, "hello"))
    assert wait_for_chat(provider_api, 7777773, mark, count=1)  # the conversation is stored

    def answer(call) -> bool:
        return call.json["chat_id"] == "7777773" and "rods" in call.json["text"]

    with held_by_another_writer(tmp_path / "conversations.db"):  # reads go on, saves fail
        assert post(shared_assistant, update(7777773, QUESTION)).status_code == 200
        deadline = time.monotonic() + 90
        while "telegram: handling a message failed" not in shared_assistant.logs() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert "trying again in" in shared_assistant.logs()
        assert not provider_api.calls_to(REPLY_PATH, mark, answer)  # nothing unsaved went out
    assert len(provider_api.wait_for(REPLY_PATH, mark, 1, 90, answer)) == 1
    tracker = shared_assistant.client()._get("/conversations/telegram:7777773/tracker")
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == ["hello", QUESTION]
