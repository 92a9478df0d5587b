"""Names the tests that failed, last in `make test`'s output, where CI's excerpt of it shows them.

``python -m bot.dev.failed_tests build/results/pytest.xml`` reads pytest's JUnit XML report and
writes one line per failed or erroring test (its id and the first line of its message) to
standard error. Servers the tests started may still be writing their logs when pytest prints its
own summary; these lines come after all of it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List
from xml.etree import ElementTree


def failures(report: Path) -> List[str]:
    """`<outcome> <test id>: <first line of the message>` for every test that failed or erred."""
    lines = []
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        for outcome in ("failure", "error"):
            for problem in case.findall(outcome):
                test_id = f"{case.get('classname', '').replace('.', '/')}.py::{case.get('name', '')}"
                message = (problem.get("message") or "").strip().splitlines()[:1]
                lines.append(f"{outcome} {test_id}: {message[0] if message else ''}"[:500])
    return lines


def main(argv: List[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m bot.dev.failed_tests <pytest JUnit XML report>", file=sys.stderr)
        return 2
    report = Path(argv[0])
    if not report.exists():
        print(f"no test report at {report}: pytest did not get as far as writing it", file=sys.stderr)
        return 1
    for line in failures(report):
        print(line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
