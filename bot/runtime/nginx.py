"""nginx (Debian's package, which the Makefile installs) in front of `make cluster`'s Rasa replicas.

Requests go to the replica with the fewest open ones. A replica that refuses the connection (it
died) is skipped and the request goes to the next, POSTs included, since none of it reached the
dead one; a request cut off mid-way gets a 502, and the client sends it again (bot/rasa/agent.py
answers it once). socket.io runs over one websocket per widget, which stays on its replica, so
no sticky sessions are needed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

import requests

from bot.runtime.client import poll_until
from bot.runtime.debian_program import DebianProgram, debian_binary

START_TIMEOUT_SECONDS = 20
TEMP_DIRECTORIES = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def configuration(directory: Path, address: str, port: int, replica_ports: List[int], max_body: int) -> str:
    temp = "\n".join(f"  {name}_temp_path {directory / 'tmp' / name};" for name in TEMP_DIRECTORIES)
    servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;" for p in replica_ports)
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
{temp}
  client_max_body_size {max_body};
  map $http_upgrade $connection_upgrade {{ default upgrade; '' ''; }}
  upstream rasa {{
    least_conn;
{servers}
    keepalive 64;
    keepalive_timeout 4s;  # below Sanic's 5 s, so nginx never reuses a connection Sanic is closing
  }}
  server {{
    listen {address}:{port};
    location / {{
      proxy_pass http://rasa;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_connect_timeout 2s;
      proxy_read_timeout 300s;
      proxy_send_timeout 300s;
    }}
  }}
}}
"""


@dataclass
class Nginx(DebianProgram):
    directory: Path
    address: str
    port: int
    replica_ports: List[int]
    max_body: int
    process: Optional[subprocess.Popen] = field(default=None, repr=False)

    def start(self) -> None:
        binary = debian_binary("nginx", "/usr/sbin/nginx", "nginx")
        for name in TEMP_DIRECTORIES:
            (self.directory / "tmp" / name).mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(self.directory / "tmp" / name, "nobody", "nogroup")
        config = self.directory / "nginx.conf"
        config.write_text(configuration(self.directory, self.address, self.port, self.replica_ports, self.max_body))
        self.process = subprocess.Popen(
            [binary, "-p", str(self.directory), "-c", str(config), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=(self.directory / "nginx.log").open("a"),
        )
        poll_until(self._answers, START_TIMEOUT_SECONDS, "nginx")

    def _answers(self) -> bool:
        self.check_running("nginx", f"{self.directory / 'nginx.log'} and error.log")
        try:
            requests.get(f"http://127.0.0.1:{self.port}/version", timeout=2)
            return True
        except requests.ConnectionError:
            return False
