"""nginx (Debian's package, which the Makefile installs) in front of the Rasa replicas: for
`make cluster`, and the production configuration a clinic installs (deploy/nginx/spine-faq.conf,
written by `python -m bot.runtime.nginx`). Both come from the same pieces below.

Requests go to the replica with the fewest open ones. A replica that refuses the connection (it
died) is skipped and the request goes to the next, POSTs included, since none of it reached the
dead one; a request cut off mid-way gets a 502, and the client sends it again (bot/rasa/agent.py
answers it once). socket.io runs over one websocket per widget, which stays on its replica, so
no sticky sessions are needed.

In production nginx also ends TLS (TLSv1.2 and 1.3 only, HSTS, plain HTTP redirected), opens only
the channels (webhooks and socket.io) to the internet, the HTTP API staying on the private network
for the console and the clinic's servers, and serves the staff console on a name of its own,
since the console's page and API live at the root of their site.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from bot import settings
from bot.runtime.client import poll_until
from bot.runtime.debian_program import DebianProgram, debian_binary

START_TIMEOUT_SECONDS = 20
TEMP_DIRECTORIES = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
PRODUCTION_FILE = settings.PROJECT_ROOT / "deploy" / "nginx" / "spine-faq.conf"
RASA, CONSOLE = "spine_faq_rasa", "spine_faq_console"  # the upstreams
UPGRADE = "$spine_faq_connection_upgrade"
# Mozilla's "intermediate" TLS 1.2 ciphers (forward secrecy, AEAD), without the DHE ones that need
# parameters of their own; TLS 1.3 chooses its ciphers itself.
TLS12_CIPHERS = ":".join(
    f"ECDHE-{key}-{cipher}"
    for cipher in ("AES128-GCM-SHA256", "AES256-GCM-SHA384", "CHACHA20-POLY1305")
    for key in ("ECDSA", "RSA")
)
HSTS_SECONDS = 2 * 365 * 24 * 3600
ACME_ROOT = "/var/www/letsencrypt"
LOG_FORMAT = "spine_faq_without_query"


def block(head: str, *lines: str) -> str:
    """`head { lines }`, the lines indented (a line may be a block itself)."""
    body = "\n".join("  " + line if line else "" for text in lines for line in text.splitlines())
    return f"{head} {{\n{body}\n}}"


def forwarded() -> Tuple[str, ...]:
    """What the servers behind nginx learn of the request: its host, the client, and HTTPS (the
    console marks its cookie Secure on it)."""
    return (
        "proxy_http_version 1.1;",
        "proxy_set_header Host $host;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_read_timeout 300s;  # a long message is read for warning signs; the console's alert stream",
        "proxy_send_timeout 300s;",
    )


def to_rasa() -> Tuple[str, ...]:
    """A location's directives that pass it to the replicas, websockets (socket.io) included."""
    return (
        f"proxy_pass http://{RASA};",
        *forwarded(),
        "proxy_set_header Upgrade $http_upgrade;",
        f"proxy_set_header Connection {UPGRADE};",
        "proxy_next_upstream error timeout http_502 http_503;",
        "proxy_connect_timeout 2s;",
    )


def rasa_upstream(replicas: Sequence[str]) -> str:
    """The replicas (host:port), the one with the fewest open requests first, and the map that
    passes a websocket upgrade on."""
    return "\n".join(
        (
            block(f"map $http_upgrade {UPGRADE}", "default upgrade;", "'' '';"),
            block(
                f"upstream {RASA}",
                "least_conn;",
                *(f"server {replica} max_fails=1 fail_timeout=2s;" for replica in replicas),
                "keepalive 64;",
                "keepalive_timeout 4s;  # below Sanic's 5 s, so nginx never reuses a connection Sanic is closing",
            ),
        )
    )


def development_site(address: str, port: int, replicas: Sequence[str], max_body: int) -> str:
    """`make cluster` (and the pods of tests/deploy): plain HTTP on `address`:`port`, everything (the
    HTTP API too) to the replicas (host:port)."""
    return "\n".join(
        (
            rasa_upstream(replicas),
            block(
                "server",
                f"listen {address}:{port};",
                f"client_max_body_size {max_body};",
                block("location /", *to_rasa()),
            ),
        )
    )


@dataclass(frozen=True)
class Production:
    """The values of the production configuration; the defaults are deploy/nginx/spine-faq.conf's,
    which the operator replaces there: the two names, the certificate, the replicas' addresses.
    Only the console's requests are logged (without their query)."""

    chat_name: str = "chat.clinic.example"
    console_name: str = "staff.clinic.example"
    certificate: str = "/etc/letsencrypt/live/chat.clinic.example/fullchain.pem"
    certificate_key: str = "/etc/letsencrypt/live/chat.clinic.example/privkey.pem"
    replicas: Tuple[str, ...] = tuple(
        f"127.0.0.1:{int(settings.RASA_PORT.default) + index}" for index in range(int(settings.REPLICAS.default))
    )
    console: str = f"127.0.0.1:{settings.CONSOLE_PORT.default}"
    max_body: int = int(settings.MAX_REQUEST_BYTES.default)
    console_log: str = "/var/log/nginx/spine-faq-console.log"
    http_listen: Tuple[str, ...] = ("80", "[::]:80")
    https_listen: Tuple[str, ...] = ("443", "[::]:443")

    @property
    def https_port(self) -> int:
        return int(self.https_listen[0].rpartition(":")[2])


def tls(production: Production, name: str) -> Tuple[str, ...]:
    """A TLS server's first lines: its addresses and name, the certificate, modern protocols, HSTS."""
    return (
        *(f"listen {address} ssl;" for address in production.https_listen),
        f"server_name {name};",
        "server_tokens off;",
        f"ssl_certificate {production.certificate};",
        f"ssl_certificate_key {production.certificate_key};",
        "ssl_protocols TLSv1.2 TLSv1.3;",
        f"ssl_ciphers {TLS12_CIPHERS};",
        "ssl_prefer_server_ciphers off;",
        "ssl_session_cache shared:spine_faq_tls:10m;",
        "ssl_session_timeout 1d;",
        "ssl_session_tickets off;",
        f'add_header Strict-Transport-Security "max-age={HSTS_SECONDS}" always;',
        f"client_max_body_size {production.max_body};",
    )


def production_site(production: Production) -> str:
    """What Debian's nginx includes in its http block (/etc/nginx/sites-enabled/spine-faq.conf)."""
    port = "" if production.https_port == 443 else f":{production.https_port}"
    return "\n".join(
        (
            "# Request lines without their query (a token may be in it), for the console's log only.",
            f"log_format {LOG_FORMAT} '$remote_addr [$time_local] \"$request_method $uri\" $status $request_time';",
            rasa_upstream(production.replicas),
            block(f"upstream {CONSOLE}", f"server {production.console};", "keepalive 8;"),
            "",
            "# Plain HTTP: only Let's Encrypt's renewal challenge; everything else is sent to HTTPS.",
            block(
                "server",
                *(f"listen {address};" for address in production.http_listen),
                f"server_name {production.chat_name} {production.console_name};",
                "server_tokens off;",
                "access_log off;",
                block("location /.well-known/acme-challenge/", f"root {ACME_ROOT};"),
                block("location /", f"return 301 https://$host{port}$request_uri;"),
            ),
            "",
            "# The assistant: the channels' webhooks (REST, Twilio, Telegram, Messenger, Slack) and the",
            "# widget's socket.io. The HTTP API is reached on the replicas' own ports, not from here.",
            block(
                "server",
                *tls(production, production.chat_name),
                "access_log off;  # no record of which address wrote to the assistant when",
                block("location /webhooks/", *to_rasa()),
                block("location /socket.io/", *to_rasa()),
                block("location /", "return 404;"),
            ),
            "",
            "# The staff console: its page and API at the root of a name of its own.",
            block(
                "server",
                *tls(production, production.console_name),
                f"access_log {production.console_log} {LOG_FORMAT};",
                block(
                    "location /",
                    f"proxy_pass http://{CONSOLE};",
                    *forwarded(),
                    'proxy_set_header Connection "";',
                ),
                block("location = /metrics", "return 404;  # for the monitoring system, on the console's own port"),
            ),
        )
    )


def production_file() -> str:
    """deploy/nginx/spine-faq.conf."""
    return (
        "# The assistant's front door: written by `python -m bot.runtime.nginx` (bot/runtime/nginx.py).\n"
        "# Install it as /etc/nginx/sites-available/spine-faq.conf and replace the names\n"
        "# chat.clinic.example and staff.clinic.example, the certificate's paths and the replicas'\n"
        "# addresses with the clinic's (docs/operations.md#production-nginx-tls-and-systemd).\n"
        f"{production_site(Production())}\n"
    )


def nginx_conf(directory: Path, site: str) -> str:
    """A whole nginx.conf for an nginx of its own, its pid, logs and temporary files in `directory`."""
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(f"{name}_temp_path {directory / 'tmp' / name};" for name in TEMP_DIRECTORIES)
    return (
        f"{user}worker_processes 1;\n"
        f"pid {directory / 'nginx.pid'};\n"
        f"error_log {directory / 'error.log'} warn;\n"
        "events { worker_connections 4096; }\n"
        f"{block('http', 'access_log off;', temp, site)}\n"
    )


@dataclass
class Nginx(DebianProgram):
    """nginx with `site` as its http block, in `directory`; started when it listens on `port`."""

    directory: Path
    site: str
    port: int
    process: Optional[subprocess.Popen] = field(default=None, repr=False)

    def write(self) -> Path:
        """Writes nginx.conf and makes its temporary directories; its path."""
        for name in TEMP_DIRECTORIES:
            (self.directory / "tmp" / name).mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(self.directory / "tmp" / name, "nobody", "nogroup")
        config = self.directory / "nginx.conf"
        config.write_text(nginx_conf(self.directory, self.site))
        return config

    def command(self, *arguments: str) -> List[str]:
        binary = debian_binary("nginx", "/usr/sbin/nginx", "nginx")
        return [binary, "-p", str(self.directory), "-c", str(self.directory / "nginx.conf"), *arguments]

    def start(self) -> None:
        self.write()
        self.process = subprocess.Popen(
            self.command("-g", "daemon off;"),
            stdout=subprocess.DEVNULL,
            stderr=(self.directory / "nginx.log").open("a"),
        )
        poll_until(self._answers, START_TIMEOUT_SECONDS, "nginx")

    def _answers(self) -> bool:
        self.check_running("nginx", f"{self.directory / 'nginx.log'} and error.log")
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=2).close()
            return True
        except OSError:
            return False


if __name__ == "__main__":
    PRODUCTION_FILE.parent.mkdir(parents=True, exist_ok=True)
    PRODUCTION_FILE.write_text(production_file(), encoding="utf-8")
    sys.stdout.write(f"wrote {PRODUCTION_FILE.relative_to(settings.PROJECT_ROOT)}\n")
