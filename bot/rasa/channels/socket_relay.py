"""Messages to widget sockets that another replica may hold: a Redis pub/sub channel of JSON.

A widget's socket stays connected to one Rasa server. The staff's messages to it (bot/rasa/staff.py)
arrive at whichever server the console reached, so with several servers (LOCK_STORE_URL set) they
are published on Redis and every server sends them to the sockets it holds. Messages are JSON,
never pickle (python-socketio's own Redis manager unpickles what it receives). Without Redis there
is one server, which sends them itself. Replies to the patient's own messages never go this way.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Awaitable, Callable, Dict

import redis.asyncio as redis
from redis.exceptions import RedisError

from bot import logs

logger = logging.getLogger(__name__)

CHANNEL = "spine_chat:widget_messages"
RETRY_SECONDS = 1.0

Emit = Callable[[str, Dict[str, Any]], Awaitable[None]]  # (room, message)


class Relay:
    """Sends a message to a conversation's room on every server."""

    def __init__(self, url: str, emit: Emit) -> None:
        self.url, self.emit = url, emit
        self.client = redis.Redis.from_url(url) if url else None

    async def send(self, room: str, message: Dict[str, Any]) -> None:
        if self.client is None:
            await self.emit(room, message)
            return
        await self.client.publish(CHANNEL, json.dumps({"room": room, "message": message}))

    async def listen(self) -> None:
        """Sends what any server published to the sockets here (a server task; reconnects)."""
        if self.client is None:
            return
        while True:
            try:
                pubsub = self.client.pubsub(ignore_subscribe_messages=True)
                await pubsub.subscribe(CHANNEL)
                async for published in pubsub.listen():
                    await self._deliver(published.get("data"))
            except (RedisError, OSError) as error:
                logger.error("widget relay: Redis unavailable (%s); listening again shortly", logs.reason(error))
                await asyncio.sleep(RETRY_SECONDS)

    async def _deliver(self, data: Any) -> None:
        try:
            published = json.loads(data)
            room, message = str(published["room"]), dict(published["message"])
        except (TypeError, ValueError, KeyError):
            logger.warning("widget relay: ignored a message that is not ours")
            return
        await self.emit(room, message)
