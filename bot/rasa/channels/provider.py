"""Outbound calls to messaging providers' HTTP APIs (replies to patients).

A provider that is unreachable, slow (over CALL_TIMEOUT_SECONDS) or answers 429 or 5xx is tried
again after each of RETRY_DELAYS_SECONDS; a call that still fails, or that the provider refuses
(another 4xx), raises ProviderError. Failures are logged with the provider and the status or
error type, never the text, and counted in `COUNTS` (shown on each channel's health page).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any, Dict, Optional, Tuple

import aiohttp

logger = logging.getLogger(__name__)

CALL_TIMEOUT_SECONDS = 10
RETRY_DELAYS_SECONDS: Tuple[float, ...] = (1, 3, 9)
COUNTS: Counter = Counter()  # (provider, "retried" | "failed") -> how many calls


class ProviderError(RuntimeError):
    """A provider's API refused a call or stayed unreachable; the message names the provider and
    the status or error type, never the text. `status` is the HTTP status of a refusal (else 0)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class _Transient(Exception):
    pass


async def _post(provider: str, url: str, **request: Any) -> Any:
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=CALL_TIMEOUT_SECONDS)) as session:
            async with session.post(url, **request) as answer:
                if answer.status == 429 or answer.status >= 500:
                    raise _Transient(f"HTTP {answer.status}")
                if answer.status >= 300:
                    raise ProviderError(f"{provider} API answered HTTP {answer.status}", answer.status)
                return await answer.json(content_type=None)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        raise _Transient(type(error).__name__) from None


async def call(
    provider: str,
    url: str,
    *,
    json: Optional[Dict[str, Any]] = None,
    data: Optional[Dict[str, Any]] = None,
    headers: Optional[Dict[str, str]] = None,
    auth: Optional[aiohttp.BasicAuth] = None,
) -> Any:
    """POSTs to a provider's API, retrying transient failures; returns its JSON answer."""
    problem = ""
    for delay in (0.0, *RETRY_DELAYS_SECONDS):
        if delay:
            COUNTS[provider, "retried"] += 1
            await asyncio.sleep(delay)
        try:
            return await _post(provider, url, json=json, data=data, headers=headers, auth=auth)
        except _Transient as error:
            problem = str(error)
            logger.warning("%s API call failed (%s)", provider, problem)
        except ProviderError as error:
            COUNTS[provider, "failed"] += 1
            logger.error("%s", error)
            raise
    COUNTS[provider, "failed"] += 1
    logger.error(
        "%s API call failed %d times (%s); the reply is lost", provider, 1 + len(RETRY_DELAYS_SECONDS), problem
    )
    raise ProviderError(f"{provider} API unreachable ({problem})")


def counts(provider: str) -> Dict[str, int]:
    """How many of this provider's calls were retried and how many failed, since the server started."""
    return {kind: COUNTS[provider, kind] for kind in ("retried", "failed")}
