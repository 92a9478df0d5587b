"""PostgreSQL clusters of Debian's postgresql package (the Makefile installs it): `make cluster`'s
conversation store, kept under var/cluster, and throwaway ones for tests. A cluster made with a
password is secured as one on another host would be: connections over TCP need the password
(scram-sha-256) and TLS, with a self-signed certificate its clients verify (sslmode=verify-full)."""

import contextlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, List
from urllib.parse import quote, urlencode

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


# Who may connect to a secured cluster: over TCP only with TLS and the password; through its
# socket, in the cluster's own folder, pg_ctl and local tools.
SECURED_HBA = """local all all trust
hostssl all all 127.0.0.1/32 scram-sha-256
hostssl all all ::1/128 scram-sha-256
"""


@dataclass
class Cluster:
    """A running cluster: its SQLAlchemy URL, and stop/start to play a database outage. With a
    `password`, the URL has it and verifies the server's certificate."""

    directory: Path
    port: int
    password: str = field(default="", repr=False)

    @property
    def certificate(self) -> Path:
        """The server's self-signed TLS certificate (a secured cluster's)."""
        return self.directory / "data" / "server.crt"

    @property
    def url(self) -> str:
        if not self.password:
            return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/postgres"
        tls = urlencode({"sslmode": "verify-full", "sslrootcert": str(self.certificate)})
        return f"postgresql+psycopg2://postgres:{quote(self.password, safe='')}@127.0.0.1:{self.port}/postgres?{tls}"

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


def prepared(directory: Path, port: int, password: str = "") -> Cluster:
    """The cluster in `directory`, created there first if it is new (local connections only:
    the server listens on loopback and its socket directory is the cluster's own); created with a
    `password`, it is secured (the password and TLS over TCP)."""
    directory.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
    data = directory / "data"
    if not (data / "PG_VERSION").exists():
        if password:
            _secured(directory, password)
        else:
            _run(binary("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust")
    return Cluster(directory, port, password)


def _secured(directory: Path, password: str) -> None:
    """Creates a cluster whose TCP connections need TLS (a self-signed certificate for 127.0.0.1,
    made by openssl in the data folder) and the superuser's `password`, handed to initdb in a
    file (never on a command line)."""
    data, password_file = directory / "data", directory / "password"
    descriptor = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(password)
    if os.geteuid() == 0:
        shutil.chown(password_file, "postgres")
    try:
        _run(binary("initdb"), "-D", str(data), "-U", "postgres", "--auth=scram-sha-256", f"--pwfile={password_file}")
    finally:
        password_file.unlink()
    _run(
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365", "-subj", "/CN=127.0.0.1",
        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(data / "server.key"), "-out", str(data / "server.crt"),
    )  # fmt: skip
    (data / "server.key").chmod(0o600)
    (data / "pg_hba.conf").write_text(SECURED_HBA)
    with (data / "postgresql.conf").open("a") as conf:
        conf.write("ssl = on\npassword_encryption = 'scram-sha-256'\n")


@contextlib.contextmanager
def postgres_cluster(password: str = "") -> Iterator[Cluster]:
    """Starts a cluster on a free port in a temp folder (secured with a `password`), and removes
    it afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="spine-pg-"))
    cluster = prepared(directory, free_port(), password)
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
