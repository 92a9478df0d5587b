"""Bounded work per message, for every channel: what reaches the assistant is clean and short.

Control characters are dropped. A message longer than MAX_MESSAGE_LENGTH is not read by the
assistant; the warning-sign net still reads all of it (bot/language/long_text.py, linear in the
message's length), in a worker process, so that the server answers other conversations
meanwhile at full speed. A warning sign found there escalates exactly as the
red-flag net would (`/red_flag_emergency{"warning_sign": ...}`); otherwise the patient is asked
for a shorter message (`/message_too_long`). Such a message is stored as that intent, not as
its text.
"""

from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing
import os
import threading
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Awaitable, Callable, Optional, Tuple

from rasa.core.channels.channel import UserMessage

from bot import logs, settings
from bot.language.long_text import most_severe_sign, warning_sign_net
from bot.names import Entity, Intent, Severity

logger = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[Any]]

KEPT_WHITESPACE = {"\n", "\t", "\r"}
_net: Optional[ProcessPoolExecutor] = None


def without_control_characters(text: str) -> str:
    """The text without control characters (NUL, escape sequences...); line breaks and tabs stay."""
    return "".join(c for c in text if c in KEPT_WHITESPACE or unicodedata.category(c) != "Cc")


PARENT_CHECK_SECONDS = 2


def start_worker() -> None:
    """In the worker: loads the net, and exits when the Rasa server is gone (a server killed
    outright would otherwise leave its worker, and its memory, behind)."""
    logs.configure()
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
    warning_sign_net()


def warning_sign_process() -> ProcessPoolExecutor:
    """The worker process that reads long messages (started once, the net loaded at its start)."""
    global _net
    if _net is None:
        _net = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=start_worker)
    return _net


async def long_message_sign(text: str) -> Optional[Tuple[str, str]]:
    """The warning-sign net's verdict on a long message, read in the worker process (in a thread
    of this one if that process has died)."""
    global _net
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(warning_sign_process(), most_severe_sign, text)
    except BrokenProcessPool:
        logger.error("the warning-sign process stopped; restarting it")
        _net = None
        return await loop.run_in_executor(None, most_severe_sign, text)


def long_message_payload(sign: Optional[Tuple[str, str]]) -> str:
    """What a long message means to the assistant: an escalation, or a request to shorten it."""
    if sign is None:
        return f"/{Intent.MESSAGE_TOO_LONG}"
    sign_id, severity = sign
    intent = Intent.RED_FLAG_EMERGENCY if severity == Severity.EMERGENCY else Intent.RED_FLAG
    return f"/{intent}{json.dumps({Entity.WARNING_SIGN: sign_id})}"


async def bounded_message(message: UserMessage, max_length: int) -> UserMessage:
    text = without_control_characters(message.text or "")
    if len(text) > max_length:
        sign = await long_message_sign(text)
        text = long_message_payload(sign)
    return UserMessage(
        text,
        message.output_channel,
        message.sender_id,
        input_channel=message.input_channel,
        message_id=message.message_id,
        metadata=message.metadata,
    )


def bounded(on_new_message: Handler) -> Handler:
    """Wraps a channel's handler so that every message it passes on is bounded (and loads the
    warning-sign net in the background now, not when the first long message arrives)."""
    max_length = settings.max_message_length()
    warning_sign_process().submit(int)  # starts the process (and loads the net) now

    async def handle(message: UserMessage) -> Any:
        return await on_new_message(await bounded_message(message, max_length))

    return handle
