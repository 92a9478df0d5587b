"""The production front door (deploy/nginx/spine-faq.conf, bot/runtime/nginx.py): Debian's nginx,
configured as a clinic installs it but with a self-signed certificate and free loopback ports, in
front of the session's Rasa server and staff console."""

from __future__ import annotations

import asyncio
import secrets
import shutil
import socket
import ssl
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List

import aiohttp
import pytest
import requests
from aiohttp.abc import AbstractResolver
from requests.adapters import HTTPAdapter

from bot.console.accounts import save_user
from bot.runtime.client import poll_until
from bot.runtime.nginx import (
    PRODUCTION_FILE,
    Nginx,
    Production,
    development_site,
    production_file,
    production_site,
)
from bot.runtime.services import Services, free_port
from tests.console.staff import console_engine
from tests.test_server_privacy import WidgetClient

CHAT, STAFF = Production.chat_name, Production.console_name


def test_the_deployed_configuration_is_the_one_the_code_writes():
    assert PRODUCTION_FILE.read_text(encoding="utf-8") == production_file(), (
        "deploy/nginx/spine-faq.conf is out of date: run python -m bot.runtime.nginx"
    )


@pytest.mark.servers  # Debian's nginx, which make test installs
def test_the_development_cluster_configuration_passes_nginx_checks(tmp_path):
    nginx = Nginx(
        tmp_path,
        development_site("127.0.0.1", free_port(), [f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"], 262144),
        0,
    )
    nginx.write()
    check = subprocess.run(nginx.command("-t"), capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


@dataclass
class FrontDoor:
    directory: Path
    http_port: int
    https_port: int
    certificate: Path
    services: Services

    def session(self, name: str, source: str = "127.0.0.1") -> requests.Session:
        """Requests to https://<name>:<https_port>/ reach the test's nginx, which must present a
        certificate for `name` signed by the test's own; they come from `source` (a loopback address)."""
        session = requests.Session()
        session.mount(f"https://{name}:{self.https_port}", Resolved(name, self.certificate, source))
        return session

    def url(self, name: str, path: str) -> str:
        return f"https://{name}:{self.https_port}{path}"


class Resolved(HTTPAdapter):
    """Sends requests for `name` to 127.0.0.1, with `name` as their Host, as the TLS server name and
    as the name the certificate must hold (no DNS entry needed), checked against `certificate` only
    (whatever REQUESTS_CA_BUNDLE says)."""

    def __init__(self, name: str, certificate: Path, source: str) -> None:
        self.name = name
        self.certificate = certificate
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, server_hostname=self.name, source_address=(self.source, 0), **kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        request.headers["Host"] = str(request.url).split("/")[2]
        request.url = str(request.url).replace(f"//{self.name}:", "//127.0.0.1:", 1)
        return super().send(request, **{**kwargs, "verify": str(self.certificate)})


class LoopbackResolver(AbstractResolver):
    """aiohttp's name resolution, every name to 127.0.0.1 (the widget's socket.io client)."""

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> List[Dict[str, Any]]:
        return [{"hostname": host, "host": "127.0.0.1", "port": port, "family": socket.AF_INET, "proto": 0, "flags": 0}]

    async def close(self) -> None:
        return None


@pytest.fixture(scope="module")
def front_door(assistant: Services) -> Iterator[FrontDoor]:
    directory = Path(tempfile.mkdtemp(prefix="spine-front-door-"))
    directory.chmod(0o755)  # nginx's workers run as nobody (as root) and use its temporary folders
    certificate, key = directory / "certificate.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        + ["-days", "1", "-subj", f"/CN={CHAT}", "-addext", f"subjectAltName=DNS:{CHAT},DNS:{STAFF}"]
        + ["-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
    )
    door = FrontDoor(directory, free_port(), free_port(), certificate, assistant)
    production = Production(
        certificate=str(certificate),
        certificate_key=str(key),
        replicas=(f"127.0.0.1:{assistant.env['rasa']['RASA_PORT']}",),
        console=f"127.0.0.1:{assistant.env['console']['CONSOLE_PORT']}",
        console_log=str(directory / "console.log"),
        http_listen=(f"127.0.0.1:{door.http_port}",),
        https_listen=(f"127.0.0.1:{door.https_port}",),
    )
    nginx = Nginx(directory, production_site(production), door.https_port)
    nginx.write()
    check = subprocess.run(nginx.command("-t"), capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    nginx.start()
    yield door
    nginx.stop()
    shutil.rmtree(directory, ignore_errors=True)


def test_a_patient_message_over_https_gets_its_reply(front_door):
    reply = front_door.session(CHAT).post(
        front_door.url(CHAT, "/webhooks/rest/webhook"),
        json={"sender": "front-door-rest", "message": "is spinal fusion the same as a disc replacement?"},
        headers={"Authorization": f"Bearer {front_door.services.token}"},
        timeout=60,
    )
    assert reply.status_code == 200
    assert any(message.get("text") for message in reply.json())
    assert reply.headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_widget_talks_over_a_secure_websocket(front_door):
    async def scenario() -> None:
        connector = aiohttp.TCPConnector(
            resolver=LoopbackResolver(), ssl=ssl.create_default_context(cafile=str(front_door.certificate))
        )
        async with aiohttp.ClientSession(connector=connector) as session:
            widget = WidgetClient(http_session=session)
            await widget.start(front_door.url(CHAT, ""))
            await widget.say("will there be metal in my back?", replies=1)
            await widget.sio.disconnect()
        assert widget.replies[-1]["text"]

    asyncio.run(scenario())


def test_the_http_api_stays_off_the_public_name(front_door):
    session = front_door.session(CHAT)
    token = {"Authorization": f"Bearer {front_door.services.token}"}
    assert session.get(front_door.url(CHAT, "/status"), headers=token, timeout=10).status_code == 404
    assert session.get(front_door.url(CHAT, "/version"), timeout=10).status_code == 404


def test_the_console_loads_over_https_and_its_login_cookie_is_secure(front_door):
    session = front_door.session(STAFF)
    page = session.get(front_door.url(STAFF, "/"), timeout=10)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert session.get(front_door.url(STAFF, "/console.js"), timeout=10).status_code == 200
    assert session.get(front_door.url(STAFF, "/metrics"), timeout=10).status_code == 404

    username, password = f"front-door-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    save_user(console_engine(front_door.services), username, password, "reviewer")
    login = session.post(front_door.url(STAFF, "/api/session"), json={"username": username, "password": password})
    assert login.status_code == 200
    assert "secure" in login.headers["Set-Cookie"].lower().split("; ")  # X-Forwarded-Proto reached the console
    assert session.get(front_door.url(STAFF, "/api/session"), timeout=10).json()["username"] == username
    session.get(front_door.url(STAFF, "/api/conversations?token=secret"), timeout=10)
    log = front_door.directory / "console.log"
    poll_until(lambda: "/api/conversations" in log.read_text(), 10, "the console's access log")  # written after
    assert "secret" not in log.read_text()  # requests are logged without their query


def test_the_console_knows_staff_by_their_own_address_not_nginxs(front_door):
    """Login throttling and the audit log see the address nginx saw (127.0.0.2 here), not nginx's,
    and not what a client wrote into X-Forwarded-For itself."""
    session = front_door.session(STAFF, source="127.0.0.2")
    username, password = f"front-door-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    save_user(console_engine(front_door.services), username, password, "admin")
    login = session.post(
        front_door.url(STAFF, "/api/session"),
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": "203.0.113.9"},
        timeout=10,
    )
    assert login.status_code == 200
    entries = session.get(front_door.url(STAFF, "/api/audit"), timeout=10).json()["entries"]
    assert next(e for e in entries if e["user"] == username and e["action"] == "login")["target"] == "127.0.0.2"


def test_the_consoles_live_alert_queue_is_not_held_back(front_door):
    session = front_door.session(STAFF)
    username, password = f"front-door-{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    save_user(console_engine(front_door.services), username, password, "reviewer")
    session.post(front_door.url(STAFF, "/api/session"), json={"username": username, "password": password})
    with session.get(front_door.url(STAFF, "/api/alerts/stream"), stream=True, timeout=10) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert next(stream.iter_lines()).startswith(b"event: ")  # the first event, at once, not buffered


def test_plain_http_is_sent_to_https(front_door):
    for name in (CHAT, STAFF):
        answer = requests.get(
            f"http://127.0.0.1:{front_door.http_port}/webhooks/rest/webhook?x=1",
            headers={"Host": name},
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code == 301
        assert answer.headers["Location"] == front_door.url(name, "/webhooks/rest/webhook?x=1")


def handshake(port: int, name: str, version: ssl.TLSVersion) -> str:
    """The TLS version nginx agreed to, offered only `version` (any cipher, even weak ones)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_ciphers("DEFAULT:@SECLEVEL=0")  # so that the client really offers TLS 1.1
    context.minimum_version = context.maximum_version = version
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=name) as secure:
            return str(secure.version())


def test_only_tls_1_2_and_1_3_are_spoken(front_door):
    for name in (CHAT, STAFF):
        assert handshake(front_door.https_port, name, ssl.TLSVersion.TLSv1_2) == "TLSv1.2"
        assert handshake(front_door.https_port, name, ssl.TLSVersion.TLSv1_3) == "TLSv1.3"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.1 is deprecated: that is the point
            with pytest.raises(ssl.SSLError, match="TLSV1_ALERT_PROTOCOL_VERSION"):  # nginx's refusal
                handshake(front_door.https_port, name, ssl.TLSVersion.TLSv1_1)
