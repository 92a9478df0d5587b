"""A local SMTP server (aiosmtpd) that keeps what it is sent: the on-call person's mailbox."""

from __future__ import annotations

import contextlib
import email
import email.policy
import threading
from email.message import EmailMessage
from typing import Any, Iterator, List

from aiosmtpd.controller import Controller

from bot.runtime.client import poll_until
from bot.runtime.services import free_port


class Mailbox:
    """What the SMTP server received, in order."""

    def __init__(self) -> None:
        self.messages: List[EmailMessage] = []
        self.lock = threading.Lock()
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def mark(self) -> int:
        with self.lock:
            return len(self.messages)

    def since(self, mark: int) -> List[EmailMessage]:
        with self.lock:
            return self.messages[mark:]

    def wait_for(
        self, mark: int, count: int = 1, timeout: float = 30, to: str = "", containing: str = ""
    ) -> List[EmailMessage]:
        """The messages received after `mark` (to `to`, with `containing` in the text, if given),
        once there are `count`."""
        found: List[EmailMessage] = []

        def arrived() -> bool:
            found[:] = [
                m
                for m in self.since(mark)
                if (not to or to in str(m["To"])) and containing in m.get_content()  # type: ignore[attr-defined]
            ]
            return len(found) >= count

        poll_until(arrived, timeout, f"{count} e-mail(s){' to ' + to if to else ''}", interval_seconds=0.1)
        return found


@contextlib.contextmanager
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    box.port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
