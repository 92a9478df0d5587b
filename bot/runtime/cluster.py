"""`make cluster`: the assistant as several machines would run it, on this one.

REPLICAS Rasa servers (on RASA_PORT and the ports after it) share PostgreSQL as the conversation
store and Redis for the conversation locks; nginx spreads the patients over them on CLUSTER_PORT,
where the REST channel, the HTTP API, the webhooks and the widget's socket.io answer as on
RASA_PORT. One action server, the demo page (its widget talking to CLUSTER_PORT) and the staff
console (reading PostgreSQL, promoting a model on every replica) run beside them. PostgreSQL keeps
its data in var/cluster/postgres between runs. Ctrl-C stops everything.
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from bot import settings
from bot.runtime import postgres
from bot.runtime.launcher import announce_token, run_until_stopped
from bot.runtime.nginx import Nginx, development_site
from bot.runtime.redis import Redis
from bot.runtime.services import (
    COMMANDS,
    Services,
    service_environments,
    start_process,
    stop_services,
    wait_until_ready,
)

SUPPORT = ("actions", "web", "console")  # one of each beside the Rasa replicas


def replica_name(index: int) -> str:
    return "rasa" if index == 0 else f"rasa@{index + 1}"


@dataclass
class Cluster:
    services: Services
    replica_ports: List[int]
    database: Optional[postgres.Cluster] = None
    redis: Optional[Redis] = None
    nginx: Optional[Nginx] = None
    log_dir: Optional[Path] = field(default=None, repr=False)

    @property
    def replicas(self) -> List[str]:
        return [replica_name(index) for index in range(len(self.replica_ports))]

    def replica_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.services.env[name]['RASA_PORT']}"

    def start(self, name: str) -> None:
        """(Re)starts one of the assistant's processes (a replica, the action server...)."""
        start_process(self.services, name, self.log_dir / f"{name}.log" if self.log_dir else None)

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        stop_services(self.services)
        for part in (self.nginx, self.redis):
            if part is not None:
                part.stop()
        if self.database is not None:
            with contextlib.suppress(Exception):
                self.database.stop()


def start_cluster(
    server: settings.ServerSettings,
    options: settings.ClusterSettings,
    log_dir: Optional[Path] = None,
    extra_env: Optional[Dict[str, str]] = None,
    replica_ports: Optional[List[int]] = None,
) -> Cluster:
    """Starts PostgreSQL, Redis, the replicas, the other processes and nginx; stops what it
    started if one of them fails."""
    from bot.database import database

    ports = replica_ports or [server.rasa_port + index for index in range(options.replicas)]
    public = f"http://localhost:{options.port}"
    services = Services(
        public,
        f"http://localhost:{server.action_port}",
        f"http://localhost:{server.web_port}",
        f"http://localhost:{server.console_port}",
        server.auth_token,
        {},
        {},
        [],
    )
    cluster = Cluster(services, ports, log_dir=log_dir)
    try:
        cluster.database = postgres.prepared(options.directory / "postgres", options.postgres_port)
        cluster.database.start()
        database(cluster.database.url)  # the tables, once, before the replicas race to create them
        cluster.redis = Redis(options.directory / "redis", options.redis_port)
        cluster.redis.start()
        env = {
            **(extra_env or {}),
            "TRACKER_DATABASE_URL": cluster.database.url,
            "LOCK_STORE_URL": cluster.redis.url,
            "RASA_PUBLIC_URL": public,
            "RASA_REPLICA_URLS": ",".join(f"http://127.0.0.1:{port}" for port in ports),
        }
        environments = service_environments(server, env)
        services.env = {name: environments[name] for name in COMMANDS}
        for index, port in enumerate(ports):
            services.env[replica_name(index)] = {**environments["rasa"], "RASA_PORT": str(port)}
        for name in (*SUPPORT, *cluster.replicas):
            cluster.start(name)
        replicas = [f"127.0.0.1:{port}" for port in ports]
        site = development_site(settings.bind_address(), options.port, replicas, settings.max_request_bytes())
        cluster.nginx = Nginx(options.directory / "nginx", site, options.port)
        cluster.nginx.start()
        wait_until_ready(services)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def main() -> int:
    server = settings.server_settings()
    options = settings.cluster_settings()
    announce_token(server)
    ports = ", ".join(str(server.rasa_port + index) for index in range(options.replicas))
    print(
        f"Starting {options.replicas} Rasa replicas (ports {ports}) behind nginx on "
        f"http://localhost:{options.port} (REST: POST /webhooks/rest/webhook), PostgreSQL on port "
        f"{options.postgres_port}, Redis on port {options.redis_port}, actions on port {server.action_port}, "
        f"demo page on http://localhost:{server.web_port}, staff console on http://localhost:{server.console_port}. "
        "Ctrl-C stops.",
        flush=True,
    )
    clusters: List[Cluster] = []

    def start() -> Services:
        clusters.append(start_cluster(server, options))
        print("Ready.", flush=True)
        return clusters[0].services

    return run_until_stopped(start, lambda _: clusters[0].stop())


if __name__ == "__main__":
    sys.exit(main())
