"""Telegram.

Inbound: Telegram's Update JSON, accepted only with the secret token (header
X-Telegram-Bot-Api-Secret-Token) this assistant registers with setWebhook when it starts.
Outbound: sendMessage, with choices as an inline keyboard; a button press sends back the
choice's number, resolved against the buttons last offered.
"""
from __future__ import annotations

import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import settings
from bot.channels import button_titles, choice_payload, last_buttons
from bot.channels.provider import ProviderError, call

logger = logging.getLogger(__name__)


def api_url(token: str, method: str) -> str:
    return f"{settings.provider_api_url('telegram')}/bot{token}/{method}"


class TelegramOutput(OutputChannel):
    def __init__(self, token: str) -> None:
        self.token = token

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await call("telegram", api_url(self.token, "sendMessage"), json={"chat_id": recipient_id, "text": text.strip()})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        keyboard = [[{"text": title, "callback_data": str(i)}] for i, title in enumerate(button_titles(buttons), start=1)]
        payload = {"chat_id": recipient_id, "text": text.strip(), "reply_markup": {"inline_keyboard": keyboard}}
        await call("telegram", api_url(self.token, "sendMessage"), json=payload)


def message_of(update: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """Chat id, text and whether it was a button press, for a text message or a button press."""
    if "callback_query" in update:
        query = update["callback_query"]
        return {"chat": (query.get("message") or {}).get("chat", {}).get("id"), "text": query.get("data"), "button": True}
    message = update.get("message") or update.get("edited_message") or {}
    if "text" not in message:
        return None
    return {"chat": message.get("chat", {}).get("id"), "text": message["text"], "button": False}


class TelegramInput(InputChannel):
    """Telegram bot: POST /webhooks/telegram/webhook."""

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(credentials["access_token"], credentials["webhook_url"], credentials["secret_token"])

    def __init__(self, access_token: str, webhook_url: str, secret_token: str) -> None:
        self.access_token, self.webhook_url, self.secret_token = access_token, webhook_url, secret_token

    def get_output_channel(self) -> TelegramOutput:
        return TelegramOutput(self.access_token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("telegram_webhook", __name__)

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

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            if not hmac.compare_digest(given, self.secret_token):
                logger.warning("telegram: request without the webhook secret token rejected")
                return response.text("invalid secret token", status=403)
            message = message_of(request.json or {})
            if not message or message["chat"] is None or message["text"] is None:
                return response.json({"ok": True})
            sender = str(message["chat"])
            text = message["text"]
            if message["button"]:
                text = choice_payload(text, await last_buttons(request, sender)) or text
            try:
                await on_new_message(UserMessage(text, self.get_output_channel(), sender, input_channel=self.name()))
            except ProviderError:
                pass
            return response.json({"ok": True})

        return webhook
