"""PostgreSQL clusters of Debian's postgresql package (the Makefile installs it): `make cluster`'s
conversation store, kept under var/cluster, and throwaway ones for tests."""

import contextlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List

from bot.runtime.services import free_port


def binary(name: str) -> str:
    """A PostgreSQL program: on PATH, else Debian's in /usr/lib/postgresql/<version>/bin."""
    installed = sorted(str(path) for path in Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    found = shutil.which(name) or next(iter(installed), None)
    if not found:
        raise FileNotFoundError(f"{name} not found: install Debian's postgresql package (apt-get install postgresql)")
    return str(found)


def _as_postgres_user(command: List[str]) -> List[str]:
    """initdb refuses to run as root; run the server as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(*command: str) -> None:
    subprocess.run(_as_postgres_user(list(command)), check=True, capture_output=True)


@dataclass
class Cluster:
    """A running cluster: its SQLAlchemy URL, and stop/start to play a database outage."""

    directory: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        # the server's output goes to a file: a captured pipe would stay open as long as it runs
        options = f"-p {self.port} -k {self.directory} -h 127.0.0.1"
        _run(
            binary("pg_ctl"),
            "-D",
            str(self.directory / "data"),
            "-l",
            str(self.directory / "server.log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self) -> None:
        _run(binary("pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate", "-w", "stop")


def prepared(directory: Path, port: int) -> Cluster:
    """The cluster in `directory`, created there first if it is new (local connections only:
    the server listens on loopback and its socket directory is the cluster's own)."""
    directory.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
    if not (directory / "data" / "PG_VERSION").exists():
        _run(binary("initdb"), "-D", str(directory / "data"), "-U", "postgres", "--auth=trust")
    return Cluster(directory, port)


@contextlib.contextmanager
def postgres_cluster() -> Iterator[Cluster]:
    """Starts a cluster on a free port in a temp folder, and removes it afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="spine-pg-"))
    cluster = prepared(directory, free_port())
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def temporary_postgres() -> Iterator[str]:
    """A cluster's SQLAlchemy URL, for tests that only need a database."""
    with postgres_cluster() as cluster:
        yield cluster.url
