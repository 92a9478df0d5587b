"""The widget relay (bot/rasa/channels/socket_relay.py) on a real Redis: a message published by
one server reaches the sockets another holds, as JSON; anything else on the channel is ignored."""

import asyncio
import json
from typing import Any, Dict, List, Tuple

import redis.asyncio as aioredis

from bot.rasa.channels.socket_relay import CHANNEL, Relay

MESSAGE = {"text": "Clinic staff: Hello", "metadata": {"staff": True, "with_staff": True}}


async def relayed(url: str) -> List[Tuple[str, Dict[str, Any]]]:
    received: List[Tuple[str, Dict[str, Any]]] = []

    async def emit(room: str, message: Dict[str, Any]) -> None:
        received.append((room, message))

    holder, sender = Relay(url, emit), Relay(url, emit)
    listening = asyncio.create_task(holder.listen())
    await asyncio.sleep(0.5)  # subscribed
    raw = aioredis.Redis.from_url(url)
    await raw.publish(CHANNEL, b"\x80\x04\x95not json: a pickle is never loaded")
    await sender.send("socketio:abc", MESSAGE)
    for _ in range(50):
        if received:
            break
        await asyncio.sleep(0.1)
    listening.cancel()
    return received


def test_a_message_reaches_the_sockets_another_server_holds(redis):
    assert asyncio.run(relayed(redis.url)) == [("socketio:abc", MESSAGE)]


def test_without_redis_the_server_sends_it_itself():
    received = []

    async def emit(room: str, message: Dict[str, Any]) -> None:
        received.append((room, json.loads(json.dumps(message))))

    asyncio.run(Relay("", emit).send("socketio:abc", MESSAGE))
    assert received == [("socketio:abc", MESSAGE)]
