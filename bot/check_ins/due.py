"""`make check-ins-due [NOW=<ISO time>]`: has a running Rasa server send the check-ins due at
that moment (default: now), as its own minute-by-minute loop would. Only a Rasa server sends,
because each message goes into the patient's conversation under its lock; the first server of
RASA_REPLICA_URLS that answers does it (with RASA_AUTH_TOKEN), and the claims in the database
keep any other server from sending the same messages. Prints the counts by status.

    python -m bot.check_ins.due [NOW]
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from typing import Dict, List

import requests

from bot import settings

TIMEOUT_SECONDS = 300  # many messages due after an outage are sent one after the other


class NotSent(RuntimeError):
    """No Rasa server sent the check-ins; the message says why."""


def moment(text: str) -> str:
    """NOW as ISO 8601 with a time zone (UTC when it gives none)."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00")) if text else datetime.now(timezone.utc)
    except ValueError:
        raise ValueError(f"NOW={text!r} is not an ISO time: write e.g. NOW=2026-01-13T01:00:00+00:00") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).isoformat()


def send_due(now: str) -> Dict[str, int]:
    """Asks the Rasa servers in turn until one sends what is due at `now`; its counts by status."""
    problems = []
    for url in settings.rasa_replica_urls():
        try:
            reply = requests.post(
                f"{url}/assistant/check-ins/due",
                json={"now": now},
                headers={"Authorization": f"Bearer {settings.server_settings().auth_token}"},
                timeout=TIMEOUT_SECONDS,
            )
        except requests.RequestException as error:
            problems.append(f"{url}: {type(error).__name__}")
            continue
        try:
            answer = reply.json()
        except ValueError:
            answer = {}
        if reply.status_code == 200:
            return dict(answer.get("sent") or {})
        problems.append(f"{url}: HTTP {reply.status_code} {str(answer.get('error') or '')[:200]}".strip())
    raise NotSent(
        f"no Rasa server sent the check-ins ({'; '.join(problems)}); start one (make run) and give this "
        "command its RASA_AUTH_TOKEN and RASA_REPLICA_URLS"
    )


def main(argv: List[str]) -> int:
    try:
        counts = send_due(moment(argv[0] if argv else ""))
    except (ValueError, NotSent) as error:
        print(error, file=sys.stderr)
        return 1
    print(f"check-ins: {json.dumps(counts, sort_keys=True)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
