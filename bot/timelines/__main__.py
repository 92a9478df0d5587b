"""`python -m bot.timelines check`: validate data/timelines.yml."""

import sys

from bot.timelines.data import TimelineDataError, load_timeline_data

USAGE = "usage: python -m bot.timelines check"


def main(argv: list) -> int:
    if argv != ["check"]:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        data = load_timeline_data()
    except TimelineDataError as error:
        print(error, file=sys.stderr)
        return 1
    windows = sum(len(a.windows) for a in data.activities)
    print(
        f"data/timelines.yml is valid: {len(data.procedures)} procedures, {len(data.phases)} phases, "
        f"{len(data.activities)} activities with {windows} windows"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
