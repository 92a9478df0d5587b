"""Telegram.

Inbound: Telegram's Update JSON, accepted only with the secret token (header
X-Telegram-Bot-Api-Secret-Token) this assistant registers with setWebhook when it starts.
Outbound: sendMessage, with choices as an inline keyboard; a button press sends back the
choice's number, resolved against the buttons last offered.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.channel import OutputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import settings
from bot.names import Channel
from bot.rasa.channels import button_titles
from bot.rasa.channels.provider import ProviderError, call, post
from bot.rasa.channels.signed_webhook import Incoming, SignedWebhookInput

logger = logging.getLogger(__name__)


def api_url(token: str, method: str) -> str:
    return f"{settings.provider_api_url('telegram')}/bot{token}/{method}"


class TelegramOutput(OutputChannel):
    def __init__(self, token: str) -> None:
        self.token = token

    @classmethod
    def name(cls) -> Text:
        return Channel.TELEGRAM

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


def message_of(update: Dict[str, Any]) -> Optional[Incoming]:
    """The patient's text message or button press in an update, if it is one."""
    update_id = update.get("update_id")
    if update_id is None:
        return None
    if "callback_query" in update:
        query = update["callback_query"]
        chat = (query.get("message") or {}).get("chat", {}).get("id")
        text, press = query.get("data"), str(query.get("id") or "")
        return Incoming(str(update_id), str(chat), text, choice=True, button_press_id=press) if chat and text else None
    message = update.get("message") or update.get("edited_message") or {}
    chat, text = message.get("chat", {}).get("id"), message.get("text")
    return Incoming(str(update_id), str(chat), text) if chat is not None and text is not None else None


class TelegramInput(SignedWebhookInput):
    """Telegram bot: POST /webhooks/telegram/webhook."""

    credential_keys = ("access_token", "webhook_url", "secret_token")

    @classmethod
    def name(cls) -> Text:
        return Channel.TELEGRAM

    def __init__(self, access_token: str, webhook_url: str, secret_token: str) -> None:
        self.access_token, self.webhook_url, self.secret_token = access_token, webhook_url, secret_token

    def get_output_channel(self) -> TelegramOutput:
        return TelegramOutput(self.access_token)

    def signed(self, request: Request) -> bool:
        return hmac.compare_digest(request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""), self.secret_token)

    def incoming(self, request: Request) -> List[Incoming]:
        message = message_of(request.json or {})
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
                logger.error("telegram: setWebhook failed (%s)", type(error).__name__)
