"""A channel's webhook in this process: its blueprint on a Sanic app of its own, called through
ASGI (no server, no port), so that Hypothesis can send it many deliveries in seconds. Rasa is
not there: a message that reached it would be recorded in `messages` (and, if `failure` is set,
answered "reply N", N the count of `messages`, then failed with `failure`: every time, or the
next `failures` times). The providers' APIs are
the local stand-in, and the delivery ids go to a database of the test's own."""

from __future__ import annotations

import asyncio
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Sanic

from bot import settings
from bot.runtime.services import isolated_environment


class InProcessWebhook:
    def __init__(self, channel: InputChannel) -> None:
        self.prefix = f"/webhooks/{channel.name()}"
        self.messages: List[UserMessage] = []
        self.failure: Optional[Exception] = None
        self.failures: Optional[int] = None
        self.app = Sanic(f"in_process_{channel.name()}_{secrets.token_hex(4)}")
        self.app.blueprint(channel.blueprint(self._rasa), url_prefix=self.prefix)
        self.loop = asyncio.new_event_loop()
        self.lifespan: "asyncio.Queue[Dict[str, str]]" = asyncio.Queue()
        self.running = self.loop.create_task(self.app({"type": "lifespan"}, self.lifespan.get, self._started))
        self.started = self.loop.create_future()
        self.lifespan.put_nowait({"type": "lifespan.startup"})
        self.loop.run_until_complete(asyncio.wait([self.started, self.running], return_when=asyncio.FIRST_COMPLETED))
        if self.running.done():
            self.running.result()
        self.background = asyncio.all_tasks(self.loop)  # the app and what it runs for good (the outbox's sweep)

    async def _rasa(self, message: UserMessage) -> None:
        self.messages.append(message)
        if self.failure:
            await message.output_channel.send_text_message(message.sender_id, f"reply {len(self.messages)}")
            if self.failures is None or self.failures > 0:
                self.failures = None if self.failures is None else self.failures - 1
                raise self.failure

    async def _started(self, event: Dict[str, Any]) -> None:
        if event["type"] == "lifespan.startup.complete":
            self.started.set_result(True)

    def post(self, body: bytes, headers: Dict[str, str]) -> Tuple[int, str]:
        """POSTs to the channel's webhook; the status and text of its answer once all it started is done."""
        status, text = self.loop.run_until_complete(self._post(body, headers))
        started = asyncio.all_tasks(self.loop) - self.background
        if started:
            self.loop.run_until_complete(asyncio.wait(started))
        return status, text

    async def _post(self, body: bytes, headers: Dict[str, str]) -> Tuple[int, str]:
        fields = {**headers, "content-length": str(len(body))}
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "https",
            "path": f"{self.prefix}/webhook",
            "query_string": b"",
            "root_path": "",
            "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in fields.items()],
        }
        request = [{"type": "http.request", "body": body, "more_body": False}]
        answer: Dict[str, Any] = {"body": b""}

        async def receive() -> Dict[str, Any]:
            return request.pop() if request else {"type": "http.disconnect"}

        async def send(event: Dict[str, Any]) -> None:
            answer["status"] = event.get("status", answer.get("status"))
            answer["body"] += event.get("body", b"")

        await self.app(scope, receive, send)
        return answer["status"], answer["body"].decode()

    def close(self) -> None:
        self.running.cancel()  # no shutdown: Sanic 21.12 would then handle the lifespan as a request
        self.loop.run_until_complete(asyncio.wait([self.running]))
        self.loop.close()


@contextmanager
def in_process(channel: InputChannel, provider_api_url: str, directory: Path) -> Iterator[InProcessWebhook]:
    """The channel's webhook in this process, with the settings of the tests' assistant."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in isolated_environment(directory).items():
            patch.setenv(name, value)
        for setting in settings.PROVIDER_APIS.values():
            patch.setenv(setting.name, provider_api_url)
        patch.setattr(Sanic, "test_mode", True)  # as sanic-testing does: one process starts several apps
        webhook = InProcessWebhook(channel)
        try:
            yield webhook
        finally:
            webhook.close()
