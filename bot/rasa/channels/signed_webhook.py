"""What every signed messaging webhook shares; each provider module holds only what differs.

A provider channel says which credentials it needs, how to check a request's signature, how to
read the patient's messages from a delivery, how to acknowledge it, and how to reply (its
OutputChannel). This base serves `GET /` (health) and `POST /webhook`: a request whose
signature fails is refused with 403 (logged without content), every message of a valid delivery
is handed to Rasa, and a provider API that refuses a reply never turns into an error here.
"""

from __future__ import annotations

import abc
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.rasa.channels import choice_payload, last_buttons
from bot.rasa.channels.provider import ProviderError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Incoming:
    """A patient's message in a delivery: who sent it, its text, and whether it is a button press
    to resolve against the buttons last offered."""

    sender: str
    text: str
    button: bool = False


class SignedWebhookInput(InputChannel, abc.ABC):
    """A provider's webhook; subclasses name the credentials (`credential_keys`, in the order of
    their constructor's arguments) and implement the abstract methods."""

    credential_keys: Tuple[str, ...] = ()

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        missing = [key for key in cls.credential_keys if not credentials.get(key)]
        if missing:
            raise ValueError(f"{cls.name()} channel: credentials.yml lacks {', '.join(missing)}; see docs/channels.md")
        return cls(*(credentials[key] for key in cls.credential_keys))

    @abc.abstractmethod
    def get_output_channel(self) -> OutputChannel:
        """How replies reach the patient."""

    @abc.abstractmethod
    def signed(self, request: Request) -> bool:
        """Whether the provider signed this request."""

    @abc.abstractmethod
    async def incoming(self, request: Request) -> List[Incoming]:
        """The patient messages of a signed delivery (none for other events)."""

    def acknowledgement(self, request: Request) -> HTTPResponse:
        """What the provider expects back for a delivery."""
        return response.text("")

    def early_answer(self, request: Request) -> Optional[HTTPResponse]:
        """An answer to a signed request that carries no message (a handshake, a retry), if any."""
        return None

    def add_routes(self, webhook: Blueprint) -> None:
        """Provider-specific routes and listeners beside the webhook."""

    async def resolve_button(self, request: Request, message: Incoming) -> str:
        """The text to hand to Rasa for a button press (the provider sends an index)."""
        return choice_payload(message.text, await last_buttons(request, message.sender)) or message.text

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"{self.name()}_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.signed(request):
                logger.warning("%s: request without a valid signature rejected", self.name())
                return response.text("invalid signature", status=403)
            early = self.early_answer(request)
            if early is not None:
                return early
            for message in await self.incoming(request):
                text = await self.resolve_button(request, message) if message.button else message.text
                try:
                    await on_new_message(
                        UserMessage(text, self.get_output_channel(), message.sender, input_channel=self.name())
                    )
                except ProviderError:
                    pass  # logged by the provider call, without the text
            return self.acknowledgement(request)

        self.add_routes(webhook)
        return webhook
