"""A staff member's HTTP client for the console's API, and accounts made for tests."""

from __future__ import annotations

import secrets
from typing import Any, Dict, List, Optional

import requests
from sqlalchemy.engine import Engine

from bot.console.accounts import save_user
from bot.database import database
from bot.runtime.client import poll_until
from bot.runtime.services import Services


def console_engine(services: Services) -> Engine:
    """The conversation database the services' console uses."""
    return database(services.env["console"]["TRACKER_DATABASE_URL"])


class Staff:
    """Logged in to the console as a new account with `role`."""

    def __init__(self, services: Services, role: str = "admin") -> None:
        self.base_url = services.console_url
        self.username = f"{role}-{secrets.token_hex(4)}"
        self.password = secrets.token_urlsafe(16)
        save_user(console_engine(services), self.username, self.password, role)
        self.http = requests.Session()
        self.csrf = ""
        reply = self.http.post(
            f"{self.base_url}/api/session", json={"username": self.username, "password": self.password}
        )
        reply.raise_for_status()
        self.csrf = reply.json()["csrf_token"]

    def call(
        self, method: str, path: str, json: Optional[Any] = None, csrf: Optional[str] = None, **kwargs: Any
    ) -> requests.Response:
        headers = {"X-CSRF-Token": self.csrf if csrf is None else csrf}
        return self.http.request(method, f"{self.base_url}{path}", json=json, headers=headers, timeout=120, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        reply = self.call("GET", path, **kwargs)
        reply.raise_for_status()
        return reply.json()

    def last_audited(self) -> Dict[str, Any]:
        """The newest audit log entry this account wrote (the assistant writes entries too: alerts)."""
        return next(e for e in self.get("/api/audit")["entries"] if e["user"] == self.username)

    def lost_replies(self, conversation: str, count: int = 1) -> List[Dict[str, Any]]:
        """The conversation's replies GET /api/lost-replies lists, once there are `count`."""
        found: List[Dict[str, Any]] = []

        def listed() -> bool:
            found[:] = [r for r in self.get("/api/lost-replies")["replies"] if r["conversation_id"] == conversation]
            return len(found) >= count

        poll_until(listed, 60, "lost replies in the console", interval_seconds=0.2)
        return found
