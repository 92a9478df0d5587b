"""`make load`: locust patients against a running assistant (`make run` or `make cluster`, by URL),
then the report: messages/s, p50/p95/p99, errors, lost messages, and a latency plot.

    make load URL=http://localhost:5080 USERS=50 SECONDS=60

RASA_AUTH_TOKEN must be the server's token (the REST channel and the tracker check need it).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional

from bot import settings
from bot.dev.load import report
from bot.runtime.client import RasaClient

LOCUST = settings.PROJECT_ROOT / "build" / "locust" / "bin" / "locust"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
REPORTS = settings.PROJECT_ROOT / "reports"
# When the run ends, a patient's message still being sent (a part was down) is finished, answered
# or given up after the locustfile's GIVE_UP_SECONDS, and recorded, rather than left out of the
# ledger and so out of the lost messages.
STOP_TIMEOUT_SECONDS = 130


@dataclass
class LoadRun:
    """A locust run in progress, writing its ledger."""

    url: str
    token: str
    ledger: Path
    process: subprocess.Popen
    started: float

    def finish(self, timeout_seconds: float) -> report.LoadFigures:
        """Waits for locust to end, then checks every message in the conversation store."""
        self.process.wait(timeout=timeout_seconds)
        attempts, messages = report.read_ledger(self.ledger)
        return report.figures(attempts, messages, report.lost(RasaClient(self.url, self.token), messages))


def start_load(
    url: str,
    token: str,
    users: int,
    seconds: float,
    messages: int = 0,
    think: str = "1,3",
    ledger: Optional[Path] = None,
) -> LoadRun:
    """Starts locust headless: `users` patients, all at once, for `seconds` (or until each has sent
    `messages`), thinking `think` ("min,max") seconds between messages."""
    if not LOCUST.exists():
        raise FileNotFoundError(f"{LOCUST} is missing: `make load` installs locust (requirements/load.txt)")
    ledger = ledger or Path(tempfile.mkstemp(prefix="load-", suffix=".jsonl")[1])
    environment: Dict[str, str] = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "RASA_AUTH_TOKEN": token,
        "LOAD_LEDGER": str(ledger),
        "LOAD_MESSAGES": str(messages),
        "LOAD_THINK_SECONDS": think,
    }
    command = [str(LOCUST), "-f", str(LOCUSTFILE), "--headless", "--host", url, "--users", str(users)]
    command += [
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{int(seconds)}s",
        "--stop-timeout",
        str(STOP_TIMEOUT_SECONDS),
    ]
    command += ["--only-summary", "--loglevel", "ERROR"]
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return LoadRun(url, token, ledger, process, time.time())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the Rasa server or the cluster, e.g. http://localhost:5080")
    parser.add_argument("--users", type=int, default=50, help="patients at once")
    parser.add_argument("--seconds", type=float, default=60, help="how long")
    parser.add_argument("--think", default="1,3", help="think time between messages, min,max seconds")
    arguments = parser.parse_args()
    token = os.environ.get("RASA_AUTH_TOKEN", "").strip()
    if not token:
        print("Set RASA_AUTH_TOKEN to the running server's token (make run prints it).", file=sys.stderr)
        return 2
    ledger = settings.PROJECT_ROOT / "build" / "load-ledger.jsonl"
    REPORTS.mkdir(exist_ok=True)
    ledger.parent.mkdir(exist_ok=True)
    ledger.unlink(missing_ok=True)
    print(f"{arguments.users} patients against {arguments.url} for {arguments.seconds:.0f} s...", flush=True)
    run = start_load(arguments.url, token, arguments.users, arguments.seconds, think=arguments.think, ledger=ledger)
    figures = run.finish(arguments.seconds + 180)
    attempts, _ = report.read_ledger(ledger)
    report.plot(attempts, REPORTS / "load-latency.png", f"{arguments.users} patients, {arguments.url}")
    (REPORTS / "load.json").write_text(json.dumps(figures.as_dict(), indent=2))
    print("\n".join(figures.lines()))
    print(f"Plot: {REPORTS / 'load-latency.png'}; figures: {REPORTS / 'load.json'}")
    return 0 if figures.lost_messages == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
