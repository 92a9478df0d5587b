"""What nginx and Redis share as `make cluster` and the tests run them: a program of a Debian
package, started in the foreground on a loopback port, checked while it starts, stopped at the end."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Optional


def debian_binary(name: str, path: str, package: str) -> str:
    """The program's path, or FileNotFoundError naming the Debian package to install."""
    binary = shutil.which(name) or path
    if not Path(binary).exists():
        raise FileNotFoundError(f"{name} not found: install Debian's {package} package")
    return binary


class DebianProgram:
    """A started program (`process`): whether it still runs while it starts, and its stop."""

    process: Optional[subprocess.Popen]

    def check_running(self, name: str, logs: str) -> None:
        """RuntimeError if the program has exited (its logs say why)."""
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"{name} exited; see {logs}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
