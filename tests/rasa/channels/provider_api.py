"""A local stand-in for the providers' APIs: records each outbound call and answers like the provider.

Only the providers' cloud APIs are replaced (we cannot call them from here); the assistant, its
channels and the HTTP requests they make are real.
"""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import parse_qs


@dataclass
class Call:
    path: str
    headers: Dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def form(self) -> Dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


def every(_: Call) -> bool:
    return True


def direct_message_of(user: str) -> str:
    """The id the stand-in gives the direct message with a Slack user ("U024BE7LH" -> "D024BE7LH")."""
    return f"D{user[1:]}"


def answer_for(path: str, body: bytes) -> Any:
    if path.endswith("/Messages.json"):
        return {"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"}
    if path.endswith("/setWebhook"):
        return {"ok": True, "result": True, "description": "Webhook was set"}
    if path.endswith("/answerCallbackQuery"):
        return {"ok": True, "result": True}
    if path.endswith("/sendMessage"):
        return {"ok": True, "result": {"message_id": 1, "chat": {"id": 1}, "date": int(time.time())}}
    if path.endswith("/me/messages"):
        return {"recipient_id": "1254477777772919", "message_id": "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM"}
    if path.endswith("/chat.postMessage"):
        return {"ok": True, "channel": "D024BE91L", "ts": "1503435956.000247"}
    if path.endswith("/conversations.open"):
        user = json.loads(body)["users"]
        return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": direct_message_of(user)}}
    return {"error": "unknown endpoint"}


@dataclass
class Trouble:
    """How the stand-in misbehaves for calls ending in `path_end` (and whose body holds `containing`),
    `times` times: answer `status` (with `error`, the provider's JSON error body, if given), answer
    after `delay` seconds, or drop the connection without an answer."""

    path_end: str
    times: int
    status: int = 0
    delay: float = 0.0
    drop: bool = False
    containing: str = ""
    error: Optional[Dict[str, Any]] = None


@dataclass
class ProviderAPI:
    server: ThreadingHTTPServer
    calls: List[Call] = field(default_factory=list)
    troubles: List[Trouble] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def misbehave(self, path_end: str, times: int = 1, **how: Any) -> None:
        with self.lock:
            self.troubles.append(Trouble(path_end, times, **how))

    def trouble_for(self, path: str, body: bytes) -> Optional[Trouble]:
        with self.lock:
            for trouble in self.troubles:
                if trouble.times > 0 and path.endswith(trouble.path_end) and trouble.containing.encode() in body:
                    trouble.times -= 1
                    return trouble
        return None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def calls_to(self, path_end: str, since: int = 0, where: Callable[[Call], bool] = every) -> List[Call]:
        """The calls ending in path_end made after index `since` (those `where` accepts)."""
        return [c for c in self.calls[since:] if c.path.split("?")[0].endswith(path_end) and where(c)]

    def wait_for(
        self, path_end: str, since: int, count: int = 1, timeout: float = 20, where: Callable[[Call], bool] = every
    ) -> List[Call]:
        """The calls ending in path_end made after index `since` (those `where` accepts), waiting
        until there are `count`."""
        deadline = time.monotonic() + timeout
        while len(self.calls_to(path_end, since, where)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.calls_to(path_end, since, where)

    def mark(self) -> int:
        return len(self.calls)


def start() -> ProviderAPI:
    api: Optional[ProviderAPI] = None

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            path = self.path.split("?")[0]
            api.calls.append(Call(self.path, dict(self.headers), body))
            trouble = api.trouble_for(path, body)
            if trouble and trouble.delay:
                time.sleep(trouble.delay)
            if trouble and trouble.drop:
                self.close_connection = True
                return
            if trouble and trouble.status and trouble.error is not None:
                self.answer(trouble.status, trouble.error)
                return
            if trouble and trouble.status:
                self.send_error(trouble.status)
                return
            self.answer(201 if path.endswith("/Messages.json") else 200, answer_for(path, body))

        def answer(self, status: int, body: Any) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    api = ProviderAPI(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return api
