"""Twilio SMS and WhatsApp.

Inbound: Twilio's form-encoded webhook, signed with X-Twilio-Signature over the public webhook
URL configured in the Twilio console. Outbound: the Messages REST API. SMS and WhatsApp have no
buttons, so choices are sent as numbered lines and a reply like "2" picks the second one.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Text

import aiohttp
from rasa.core.channels.channel import OutputChannel
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot import settings
from bot.names import Channel
from bot.rasa.channels import numbered_choices
from bot.rasa.channels.payload import Malformed, form_fields
from bot.rasa.channels.provider import post
from bot.rasa.channels.signed_webhook import Incoming, SignedWebhookInput

EMPTY_TWIML = "<?xml version='1.0' encoding='UTF-8'?><Response/>"


class TwilioOutput(OutputChannel):
    def __init__(self, account_sid: str, auth_token: str, number: str) -> None:
        self.account_sid, self.auth_token, self.number = account_sid, auth_token, number

    @classmethod
    def name(cls) -> Text:
        return Channel.TWILIO

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        url = f"{settings.provider_api_url('twilio')}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        await post(
            "twilio",
            url,
            data={"To": recipient_id, "From": self.number, "Body": text.strip()},
            auth=aiohttp.BasicAuth(self.account_sid, self.auth_token),
        )

    async def send_template(self, recipient_id: Text, content_sid: str, variables: Dict[str, str]) -> None:
        """An approved message template (WhatsApp: how a business may write first), by its Content SID."""
        url = f"{settings.provider_api_url('twilio')}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        await post(
            "twilio",
            url,
            data={
                "To": recipient_id,
                "From": self.number,
                "ContentSid": content_sid,
                "ContentVariables": json.dumps(variables),
            },
            auth=aiohttp.BasicAuth(self.account_sid, self.auth_token),
        )

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_message(recipient_id, numbered_choices(text, buttons))


class TwilioSMSInput(SignedWebhookInput):
    """SMS via Twilio: POST /webhooks/twilio/webhook."""

    credential_keys = ("account_sid", "auth_token", "number", "webhook_url")

    channel = Channel.TWILIO

    def __init__(self, account_sid: str, auth_token: str, number: str, webhook_url: str) -> None:
        self.account_sid, self.auth_token, self.number, self.webhook_url = account_sid, auth_token, number, webhook_url

    def get_output_channel(self) -> TwilioOutput:
        return TwilioOutput(self.account_sid, self.auth_token, self.number)

    def signed(self, request: Request) -> bool:
        """Twilio signs the URL and the form's fields: a body that is no form carries no valid signature."""
        signature = request.headers.get("X-Twilio-Signature", "")
        try:
            fields = form_fields(request.body)
        except Malformed:
            return False
        return bool(signature) and RequestValidator(self.auth_token).validate(self.webhook_url, fields, signature)

    def incoming(self, request: Request) -> List[Incoming]:
        fields = form_fields(request.body)
        sid, sender, text = (
            fields.get("MessageSid") or fields.get("SmsMessageSid"),
            fields.get("From"),
            fields.get("Body"),
        )
        if not (sid and sender and text is not None):
            raise Malformed("MessageSid, From or Body is missing")
        # no buttons on SMS: any message may be the number of a choice offered
        return [Incoming(sid, sender, text, choice=True)]

    def acknowledgement(self, request: Request) -> HTTPResponse:
        return response.text(EMPTY_TWIML, content_type="text/xml")


class TwilioWhatsAppInput(TwilioSMSInput):
    """WhatsApp via Twilio: POST /webhooks/twilio_whatsapp/webhook; numbers are "whatsapp:+1..."."""

    channel = Channel.TWILIO_WHATSAPP
