"""Twilio SMS and WhatsApp.

Inbound: Twilio's form-encoded webhook, accepted only with a valid X-Twilio-Signature (computed
over the public webhook URL configured in the Twilio console). Outbound: the Messages REST API.
SMS and WhatsApp have no buttons, so choices are sent as numbered lines and a reply like "2"
picks the second one.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text
from urllib.parse import parse_qs

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot import settings
from bot.channels import choice_payload, last_buttons, numbered_choices
from bot.channels.provider import ProviderError, call

logger = logging.getLogger(__name__)

EMPTY_TWIML = "<?xml version='1.0' encoding='UTF-8'?><Response/>"


def form_params(request: Request) -> Dict[str, str]:
    """The form parameters, blank ones included: Twilio signs them all (Sanic drops blanks)."""
    return {key: values[0] for key, values in parse_qs(request.body.decode(), keep_blank_values=True).items()}


class TwilioOutput(OutputChannel):
    def __init__(self, account_sid: str, auth_token: str, number: str) -> None:
        self.account_sid, self.auth_token, self.number = account_sid, auth_token, number

    @classmethod
    def name(cls) -> Text:
        return "twilio"

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        url = f"{settings.provider_api_url('twilio')}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        await call(
            "twilio",
            url,
            data={"To": recipient_id, "From": self.number, "Body": text.strip()},
            auth=aiohttp.BasicAuth(self.account_sid, self.auth_token),
        )

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_message(recipient_id, numbered_choices(text, buttons))


class TwilioSMSInput(InputChannel):
    """SMS via Twilio: POST /webhooks/twilio/webhook."""

    @classmethod
    def name(cls) -> Text:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(credentials["account_sid"], credentials["auth_token"], credentials["number"], credentials["webhook_url"])

    def __init__(self, account_sid: str, auth_token: str, number: str, webhook_url: str) -> None:
        self.account_sid, self.auth_token, self.number, self.webhook_url = account_sid, auth_token, number, webhook_url

    def get_output_channel(self) -> TwilioOutput:
        return TwilioOutput(self.account_sid, self.auth_token, self.number)

    def signed_by_twilio(self, request: Request, params: Dict[str, str]) -> bool:
        signature = request.headers.get("X-Twilio-Signature", "")
        return bool(signature) and RequestValidator(self.auth_token).validate(self.webhook_url, params, signature)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"{self.name()}_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            params = form_params(request)
            if not self.signed_by_twilio(request, params):
                logger.warning("%s: request without a valid X-Twilio-Signature rejected", self.name())
                return response.text("invalid signature", status=403)
            sender, text = params.get("From"), params.get("Body")
            if not sender or text is None:
                return response.text(EMPTY_TWIML, content_type="text/xml")
            text = choice_payload(text, await last_buttons(request, sender)) or text
            try:
                await on_new_message(UserMessage(text, self.get_output_channel(), sender, input_channel=self.name()))
            except ProviderError:
                pass
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return webhook


class TwilioWhatsAppInput(TwilioSMSInput):
    """WhatsApp via Twilio: POST /webhooks/twilio_whatsapp/webhook; numbers are "whatsapp:+1...". """

    @classmethod
    def name(cls) -> Text:
        return "twilio_whatsapp"
