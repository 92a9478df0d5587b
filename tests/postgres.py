"""A throwaway PostgreSQL cluster for tests (Debian's postgresql package; `make test` installs it)."""

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator, List

from bot.dev.services import free_port


def _binary(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))), None)
    if not found:
        raise FileNotFoundError(f"{name} not found: install Debian's postgresql package (apt-get install postgresql)")
    return str(found)


def _as_postgres_user(command: List[str]) -> List[str]:
    """initdb refuses to run as root; run the server as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextlib.contextmanager
def temporary_postgres() -> Iterator[str]:
    """Starts a cluster on a free port in a temp folder; yields its SQLAlchemy URL."""
    directory = Path(tempfile.mkdtemp(prefix="spine-pg-"))
    data, port = directory / "data", free_port()
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
    run = lambda *cmd: subprocess.run(_as_postgres_user(list(cmd)), check=True, capture_output=True)  # noqa: E731
    run(_binary("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust")
    # the server's output goes to a file: a captured pipe would stay open as long as it runs
    run(
        _binary("pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(directory / "server.log"),
        "-o",
        f"-p {port} -k {directory} -h 127.0.0.1",
        "-w",
        "start",
    )
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
    finally:
        run(_binary("pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(directory, ignore_errors=True)
