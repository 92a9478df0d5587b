"""What every signed messaging webhook shares; each provider module holds only what differs.

A provider channel says which credentials it needs, how to check a request's signature, how to
read the patient's messages from a delivery (each with the provider's own id for it), how to
acknowledge it, and how to reply (its OutputChannel). This base serves `GET /` (health, with
the delivery and reply counters) and `POST /webhook`:

1. a request whose signature fails is refused with 403 (logged without content);
2. a signed body that is not the provider's payload is refused with 400, with the reason
   (bot/rasa/channels/payload.py); well-formed events that carry no patient message get 200;
3. each message is processed once (bot/rasa/channels/deliveries.py), the others are dropped;
4. the delivery is acknowledged at once, before the assistant reads it, well within the
   providers' time limits (Slack's is 3 s);
5. in the background, the message goes to Rasa in the conversation of the person who sent it,
   of the channel's own ("telegram:<user id>"), bounded (bot/rasa/channels/bounded.py), handled
   again later if its conversation could not be stored, and its replies are sent afterwards to
   the person's private chat through the outbox (bot/rasa/channels/outbox.py: recorded first,
   escalations first, retried only when they certainly did not arrive, lost ones shown to the
   staff). A message posted in a shared chat (a group, a channel) gets there only a pointer to
   the private answer, never health content.
   Nothing a provider does turns into an error answer to the webhook.

From its start, the server also sends the channel's replies a server left unsent (the outbox's
sweep).
"""

from __future__ import annotations

import abc
import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, ClassVar, Dict, List, Optional, Set, Text, Tuple

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.rasa.channels import choice_payload, deliveries, last_buttons, namespaced, outbox, provider
from bot.rasa.channels.bounded import bounded
from bot.rasa.channels.payload import Malformed

logger = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[Any]]

# A message whose handling failed is handled again after each of these pauses (its replies wait).
HANDLING_RETRY_PAUSES_SECONDS = (10.0, 30.0, 60.0)

# What a shared chat gets instead of the answer: no health content.
POINTER = "I've replied to you in a private message."
ASK_FOR_A_PRIVATE_CHAT = "I answer only in private. Please open a private chat with me and ask me there."


@dataclass(frozen=True)
class Incoming:
    """A patient's message in a delivery: the provider's id for it, who sent it (the person, whose
    conversation it joins), its text, whether it is a choice to resolve against the buttons last
    offered, the provider's id of a button press to acknowledge (Telegram's callback query), and
    the shared chat it was posted in, if any."""

    delivery_id: str
    sender: str
    text: str
    choice: bool = False
    button_press_id: str = ""
    shared_chat: str = ""


async def point(output: OutputChannel, shared_chat: str, text: str) -> None:
    """Posts a pointer (no health content) in a shared chat; a failure is only logged."""
    try:
        await output.send_response(shared_chat, {"text": text})
    except provider.ProviderError as error:
        logger.warning("%s: a pointer to a private answer was not posted (%s)", output.name(), error)


class SignedWebhookInput(InputChannel, abc.ABC):
    """A provider's webhook; subclasses name the credentials (`credential_keys`, in the order of
    their constructor's arguments) and implement the abstract methods."""

    channel: ClassVar[str]
    credential_keys: Tuple[str, ...] = ()

    @classmethod
    def name(cls) -> Text:
        return cls.channel

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        missing = [key for key in cls.credential_keys if not credentials.get(key)]
        if missing:
            raise ValueError(f"{cls.name()} channel: credentials.yml lacks {', '.join(missing)}; see docs/channels.md")
        return cls(*(credentials[key] for key in cls.credential_keys))

    @abc.abstractmethod
    def get_output_channel(self) -> OutputChannel:
        """How replies reach the patient (addressed by the provider's own id)."""

    @abc.abstractmethod
    def signed(self, request: Request) -> bool:
        """Whether the provider signed this request."""

    @abc.abstractmethod
    def incoming(self, request: Request) -> List[Incoming]:
        """The patient messages of a signed delivery (none for other events); Malformed if the
        body is not the provider's payload."""

    def acknowledgement(self, request: Request) -> HTTPResponse:
        """What the provider expects back for a delivery."""
        return response.text("")

    def early_answer(self, request: Request) -> Optional[HTTPResponse]:
        """An answer to a signed request that carries no message (a handshake), if any; Malformed
        if the body is not the provider's payload."""
        return None

    def add_routes(self, webhook: Blueprint) -> None:
        """Provider-specific routes and listeners beside the webhook."""

    async def acknowledge_button(self, message: Incoming) -> None:
        """Tells the provider a button press was received (Telegram stops its spinner)."""

    async def private_chat(self, sender: str) -> Optional[str]:
        """Where the replies to a person go: their private chat with the assistant (None if the
        provider gives none)."""
        return sender

    async def text_for_rasa(self, request: Request, message: Incoming) -> str:
        """The message's text, or the payload of the numbered choice it picks."""
        if not message.choice:
            return message.text
        buttons = await last_buttons(request, namespaced(self.name(), message.sender))
        return choice_payload(message.text, buttons) or message.text

    async def process(self, request: Request, message: Incoming, on_new_message: Handler) -> None:
        """Hands the message to Rasa, then sends its replies through the outbox; logs failures
        without content."""
        try:
            if message.button_press_id:
                await self.acknowledge_button(message)
        except provider.ProviderError as error:  # the press itself is still answered
            logger.warning("%s: a button press was not acknowledged (%s)", self.name(), error)
        conversation = namespaced(self.name(), message.sender)
        await self.reply(message, conversation, await self.handled(request, message, conversation, on_new_message))

    async def handled(
        self, request: Request, message: Incoming, conversation: str, on_new_message: Handler
    ) -> List[Dict[str, Any]]:
        """The replies of the message's first handling that completed (its conversation stored). The
        provider never sends an acknowledged delivery again, so a handling that failed (the shared
        conversation database did not answer) is tried again here, after each of
        HANDLING_RETRY_PAUSES_SECONDS; if none completes, the last one's replies go out unsaved: the
        patient is answered."""
        pauses = list(HANDLING_RETRY_PAUSES_SECONDS)
        while True:
            replies = outbox.TurnReplies()
            try:
                text = await self.text_for_rasa(request, message)
                await on_new_message(UserMessage(text, replies, conversation, input_channel=self.name()))
                return replies.messages
            except Exception as error:  # never let one message take the channel down
                logger.error(
                    "%s: handling a message failed (%s); %s",
                    self.name(),
                    type(error).__name__,
                    f"trying again in {pauses[0]:g} s" if pauses else "its replies go out unsaved",
                    exc_info=error,
                )
            if not pauses:
                return replies.messages
            await asyncio.sleep(pauses.pop(0))

    async def reply(self, message: Incoming, conversation: str, replies: List[Dict[str, Any]]) -> None:
        """Sends the replies to the sender's private chat through the outbox. A message from a shared
        chat gets there a pointer to them or, if the provider refuses the private chat (Telegram
        until the person has started the bot), a request to open one: never the answer."""
        reached = await self.send_to(conversation, replies)
        if message.shared_chat and replies:
            await point(self.get_output_channel(), message.shared_chat, POINTER if reached else ASK_FOR_A_PRIVATE_CHAT)

    async def send_to(self, conversation_id: str, messages: List[Dict[str, Any]]) -> bool:
        """Sends messages to the person of a conversation in their private chat, through the outbox
        (also the staff's, bot/rasa/staff.py); False if the provider refused it or gives none."""
        recipient = await self.private_chat(conversation_id.split(":", 1)[1])
        return recipient is not None and await outbox.Outbox(self.name(), self.get_output_channel()).send(
            conversation_id, recipient, messages
        )

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        webhook = Blueprint(f"{self.name()}_webhook", __name__)
        handler = bounded(on_new_message)
        running: Set[asyncio.Task] = set()  # strong references until each task is done

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json(
                {"status": "ok", "deliveries": deliveries.counts(self.name()), "replies": outbox.counts(self.name())}
            )

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.signed(request):
                logger.warning("%s: request without a valid signature rejected", self.name())
                return response.text("invalid signature", status=403)
            try:
                early = self.early_answer(request)
                messages = self.incoming(request) if early is None else []
            except Malformed as problem:
                logger.warning("%s: malformed delivery rejected (%s)", self.name(), problem)
                return response.text(f"not a {self.name()} delivery: {problem}", status=400)
            if early is not None:
                return early
            loop = asyncio.get_running_loop()
            for message in messages:
                if not await loop.run_in_executor(None, deliveries.first_time, self.name(), message.delivery_id):
                    continue
                task = asyncio.create_task(self.process(request, message, handler))
                running.add(task)
                task.add_done_callback(running.discard)
            return self.acknowledgement(request)

        @webhook.listener("after_server_start")
        async def send_what_was_left(app: Any, _: Any) -> None:
            outbox.Outbox(self.name(), self.get_output_channel()).sweep_regularly(app)

        self.add_routes(webhook)
        return webhook
