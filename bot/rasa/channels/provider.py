"""Outbound calls to messaging providers' HTTP APIs (replies to patients)."""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional

import aiohttp

logger = logging.getLogger(__name__)

TIMEOUT = aiohttp.ClientTimeout(total=15)


class ProviderError(RuntimeError):
    """A provider's API refused a call; the message names the provider and status, never the text."""


async def call(
    provider: str,
    url: str,
    *,
    json: Optional[Dict[str, Any]] = None,
    data: Optional[Dict[str, Any]] = None,
    headers: Optional[Dict[str, str]] = None,
    auth: Optional[aiohttp.BasicAuth] = None,
) -> Any:
    """POSTs to a provider's API and returns its JSON answer; raises ProviderError on failure."""
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        async with session.post(url, json=json, data=data, headers=headers, auth=auth) as answer:
            if answer.status >= 300:
                logger.error("%s API answered HTTP %s", provider, answer.status)
                raise ProviderError(f"{provider} API answered HTTP {answer.status}")
            return await answer.json(content_type=None)
