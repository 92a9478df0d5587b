"""The fault table's measurement (build/faults.json, reports/faults.md by `make bench`): a fault
played during a locust load (bot/dev/load), then every message checked in the conversation store.
Used by tests/runtime/test_cluster.py (one host) and tests/deploy/test_pods.py (pods)."""

from __future__ import annotations

import json
import time
from typing import Any, Callable, Dict

from bot import settings
from bot.dev.load.report import read_ledger
from bot.dev.load.run import start_load

LOAD = {"users": 8, "seconds": 25, "think": "0.2,0.6"}
FAULT_AT_SECONDS = 6
AFTER_RECOVERY_SECONDS = 3  # requests in flight when a part came back may still fail
SLOW_SECONDS = 5  # a reply this late was held up by the fault
RESULTS = settings.PROJECT_ROOT / "build" / "faults.json"


def under_load(url: str, token: str, fault: Callable[[], None], finish_seconds: float) -> Dict[str, Any]:
    """The load's figures with the fault played FAULT_AT_SECONDS into it: how long the fault took;
    recovery, when the last request that failed, or the last reply slower than SLOW_SECONDS (held
    until a part came back), ended; and whether any request failed after the fault was over."""
    run = start_load(url, token, **LOAD)
    time.sleep(FAULT_AT_SECONDS)
    began = time.time()
    fault()
    recovered = time.time()
    figures = run.finish(LOAD["seconds"] + finish_seconds)
    attempts, messages = read_ledger(run.ledger)
    failed = [a for a in attempts if not a["ok"]]
    held = [a for a in attempts if a["ms"] > SLOW_SECONDS * 1000] + [
        m for m in messages if m["ms"] > SLOW_SECONDS * 1000
    ]
    last_failure = max((a["at"] + a["ms"] / 1000 for a in failed + held), default=began)
    return {
        **figures.as_dict(),
        "fault_seconds": round(recovered - began, 1),
        "recovery_seconds": round(max(0.0, last_failure - began), 1),
        "failed_after_recovery": len([a for a in failed if a["at"] > recovered + AFTER_RECOVERY_SECONDS]),
    }


def record(fault: str, result: Dict[str, Any]) -> None:
    """Adds (or replaces) the fault's row of build/faults.json."""
    RESULTS.parent.mkdir(exist_ok=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[fault] = result
    RESULTS.write_text(json.dumps(results, indent=2))
