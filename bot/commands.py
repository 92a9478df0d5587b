"""What the command-line tools `make purge`, `make erase`, `make backup`, `make restore` and
`make staff-user` share."""

import sys
from typing import Callable, Type


def run_command(name: str, command: Callable[[], object], mistakes: Type[Exception], hint: str = "") -> int:
    """Runs `command` and prints `name: <what it returns>` (exit status 0); if it raises one of
    `mistakes` (a bad argument), prints `name: <the mistake><hint>` to stderr (exit status 2)."""
    try:
        done = command()
    except mistakes as error:
        print(f"{name}: {error}{hint}", file=sys.stderr)
        return 2
    print(f"{name}: {done}")
    return 0
