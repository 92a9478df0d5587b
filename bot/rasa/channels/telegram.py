"""Telegram.

Inbound: Telegram's Update JSON, accepted only with the secret token (header
X-Telegram-Bot-Api-Secret-Token) this assistant registers with setWebhook when it starts. The
conversation is the person's ("telegram:<user id>"), in a private chat or a group alike.
Outbound: sendMessage, with choices as an inline keyboard; a button press sends back the
choice's number, resolved against the buttons last offered. Replies always go to the person's
private chat (its id is the user's); a group gets only a pointer to them, or, while the person
has not started the bot (Telegram refuses the private message with 403), a request to start it.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import logs, settings
from bot.names import Channel
from bot.rasa.channels import button_titles, matches
from bot.rasa.channels.payload import Fields, json_fields
from bot.rasa.channels.provider import ProviderError, TokenOutput, call, post
from bot.rasa.channels.signed_webhook import Incoming, SignedWebhookInput

logger = logging.getLogger(__name__)


def api_url(token: str, method: str) -> str:
    return f"{settings.provider_api_url('telegram')}/bot{token}/{method}"


class TelegramOutput(TokenOutput):
    channel = Channel.TELEGRAM

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await post("telegram", api_url(self.token, "sendMessage"), json={"chat_id": recipient_id, "text": text.strip()})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        keyboard = [
            [{"text": title, "callback_data": str(i)}] for i, title in enumerate(button_titles(buttons), start=1)
        ]
        payload = {"chat_id": recipient_id, "text": text.strip(), "reply_markup": {"inline_keyboard": keyboard}}
        await post("telegram", api_url(self.token, "sendMessage"), json=payload)


def person_of(user: Fields) -> Optional[str]:
    """A User's id, which is also their private chat's; None for a bot (a group's anonymous admin)."""
    user_id, is_bot = user.need("id", int), user.need("is_bot", bool)
    return None if is_bot else str(user_id)


def shared_chat_of(chat: Fields) -> str:
    """A group's (or other shared chat's) id; "" for a private chat."""
    chat_id, kind = chat.need("id", int), chat.need("type", str)
    return "" if kind == "private" else str(chat_id)


# A bot's username ends in "bot" (Telegram's rule); in a group a patient addresses it by name.
BOT_MENTION = re.compile(r"(?i)@\w*bot\b")


def without_bot_mention(text: str) -> str:
    """A group message's text without "@spine_clinic_bot" (where it stands, a command's suffix too)."""
    return " ".join(BOT_MENTION.sub(" ", text).split())


def message_of(update: Fields) -> Optional[Incoming]:
    """The patient's text message or button press in an Update, if it is one; its sender is the
    person (`from`), in a private chat or a group alike."""
    update_id = str(update.need("update_id", int))
    query = update.object("callback_query")
    if query:
        press, text, message = query.need("id", str), query.get("data", str), query.object("message")
        person = person_of(query.need_object("from"))
        if not (person and text and message):  # a button of an inline message: none of ours
            return None
        shared = shared_chat_of(message.need_object("chat"))
        return Incoming(update_id, person, text, choice=True, button_press_id=press, shared_chat=shared)
    message = update.object("message") or update.object("edited_message")
    if not message:
        return None
    text, sender, shared = message.get("text", str), message.object("from"), shared_chat_of(message.need_object("chat"))
    person = person_of(sender) if sender else None  # no sender: a channel's post
    if shared and text:
        text = without_bot_mention(text)
    return Incoming(update_id, person, text, shared_chat=shared) if person and text is not None else None


class TelegramInput(SignedWebhookInput):
    """Telegram bot: POST /webhooks/telegram/webhook."""

    credential_keys = ("access_token", "webhook_url", "secret_token")

    channel = Channel.TELEGRAM

    def __init__(self, access_token: str, webhook_url: str, secret_token: str) -> None:
        self.access_token, self.webhook_url, self.secret_token = access_token, webhook_url, secret_token

    def get_output_channel(self) -> TelegramOutput:
        return TelegramOutput(self.access_token)

    def signed(self, request: Request) -> bool:
        return matches(request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""), self.secret_token)

    def incoming(self, request: Request) -> List[Incoming]:
        message = message_of(json_fields(request.body))
        return [message] if message else []

    async def acknowledge_button(self, message: Incoming) -> None:
        """One attempt: the patient's answer waits for it, and the spinner stops by itself anyway."""
        await post(
            "telegram",
            api_url(self.access_token, "answerCallbackQuery"),
            json={"callback_query_id": message.button_press_id},
        )

    def acknowledgement(self, request: Request) -> HTTPResponse:
        return response.json({"ok": True})

    def add_routes(self, webhook: Blueprint) -> None:
        @webhook.listener("after_server_start")
        async def register_webhook(app: Any, loop: Any) -> None:
            try:
                await call(
                    "telegram",
                    api_url(self.access_token, "setWebhook"),
                    json={"url": self.webhook_url, "secret_token": self.secret_token},
                )
            except (ProviderError, OSError) as error:
                logger.error("telegram: setWebhook failed (%s)", logs.reason(error))
