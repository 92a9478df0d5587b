"""Outbound calls to messaging providers' HTTP APIs.

`post` makes one call and says what became of it. It returns the provider's answer, or raises:

- `Unreachable` when the request certainly did not arrive (no connection could be made, or the
  provider answered 429 or 5xx: it did not take it), so sending it again is safe;
- `Refused` when the provider answered another 4xx;
- `NoAnswer` when the request went out but no answer came within PROVIDER_CALL_TIMEOUT_SECONDS
  (or the connection dropped): the provider may have taken it, and none of these APIs takes an
  idempotency key, so a reply to a patient is never sent again after it
  (bot/rasa/channels/outbox.py).

`call` is for calls that change nothing when repeated (Telegram's setWebhook): tried again after
each of RETRY_DELAYS_SECONDS unless refused. Errors name
the provider and the status or error type, never the text.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, ClassVar, Dict, Optional, Text, Tuple

import aiohttp
from rasa.core.channels.channel import OutputChannel

from bot import settings

logger = logging.getLogger(__name__)

RETRY_DELAYS_SECONDS: Tuple[float, ...] = (1, 3, 9)


class TokenOutput(OutputChannel):
    """A provider's OutputChannel that calls its API with the bot's `token`, named `channel`."""

    channel: ClassVar[str]

    def __init__(self, token: str) -> None:
        self.token = token

    @classmethod
    def name(cls) -> Text:
        return cls.channel


class ProviderError(RuntimeError):
    """A provider's API did not take a call; the message names the provider and the status or
    error type, never the text."""


class Unreachable(ProviderError):
    """The request certainly did not arrive: it may be sent again."""


class Refused(ProviderError):
    """The provider refused the request; `status` is its HTTP status (0 for a refusal in the body),
    `code` the provider's own error code when its answer gives one (Twilio's 21610: the recipient
    replied STOP)."""

    def __init__(self, message: str, status: int = 0, code: int = 0) -> None:
        super().__init__(message)
        self.status, self.code = status, code


async def error_code(answer: aiohttp.ClientResponse) -> int:
    """The provider's error code in a refusal's JSON body ({"code": 21610, ...}), else 0."""
    try:
        body = await answer.json(content_type=None)
    except ValueError:
        return 0
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, int) and not isinstance(code, bool) else 0


class NoAnswer(ProviderError):
    """The request went out but no answer came: the provider may have taken it."""


async def post(
    provider: str,
    url: str,
    *,
    json: Optional[Dict[str, Any]] = None,
    data: Optional[Dict[str, Any]] = None,
    headers: Optional[Dict[str, str]] = None,
    auth: Optional[aiohttp.BasicAuth] = None,
) -> Any:
    """POSTs once to a provider's API; returns its JSON answer (None if the body is not JSON)."""
    went_out = False

    async def headers_sent(*_: Any) -> None:
        nonlocal went_out
        went_out = True

    tracing = aiohttp.TraceConfig()
    tracing.on_request_headers_sent.append(headers_sent)
    timeout = aiohttp.ClientTimeout(total=settings.provider_call_timeout_seconds())
    try:
        async with aiohttp.ClientSession(timeout=timeout, trace_configs=[tracing]) as session:
            async with session.post(url, json=json, data=data, headers=headers, auth=auth) as answer:
                if answer.status == 429 or answer.status >= 500:
                    raise Unreachable(f"{provider} API answered HTTP {answer.status}")
                if answer.status >= 300:
                    code = await error_code(answer)
                    detail = f" (error {code})" if code else ""
                    raise Refused(f"{provider} API answered HTTP {answer.status}{detail}", answer.status, code)
                try:
                    return await answer.json(content_type=None)
                except ValueError:
                    return None
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        if went_out:
            raise NoAnswer(f"{provider} API sent no answer ({type(error).__name__})") from None
        raise Unreachable(f"{provider} API unreachable ({type(error).__name__})") from None


async def call(provider: str, url: str, **request: Any) -> Any:
    """POSTs a call that may be repeated, again after each of RETRY_DELAYS_SECONDS while the
    provider is unreachable or silent; returns its JSON answer."""
    for delay in RETRY_DELAYS_SECONDS:
        try:
            return await post(provider, url, **request)
        except (Unreachable, NoAnswer) as error:
            logger.warning("%s; trying again in %g s", error, delay)
        await asyncio.sleep(delay)
    return await post(provider, url, **request)
