"""What a check-in says: utter_check_in (domain.yml) filled with the rows of data/timelines.yml
for that day after surgery: the recovery phase (typical, avoid, start) and the procedure's
milestones, each citing its passages; the template itself cites the warning signs it asks about.
Ranges are written "2 to 6" rather than with the guide's en dash: one character outside the GSM
alphabet turns a whole SMS into UCS-2, which fits 67 characters per part instead of 153.

On WhatsApp a business writes first only with a template Meta approved: the clinic submits
utter_check_in as its profile fills it, with each remaining value numbered ({{1}}, {{2}}...), as
`python -m bot.check_ins.content` prints it; a check-in sends those values in that order."""

from __future__ import annotations

import re
import sys
from typing import Dict, Tuple

from bot.names import Entity, Response
from bot.timelines.advice import Reply, describe_elapsed, phase_at
from bot.timelines.data import TimelineData

EN_DASH_RANGE = re.compile(r"(\d)\s*–\s*(\d)")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def plain_ranges(text: str) -> str:
    """'2–6 weeks' as '2 to 6 weeks'."""
    return EN_DASH_RANGE.sub(r"\1 to \2", text)


def check_in(timelines: TimelineData, procedure_id: str, day: int) -> Reply:
    """The check-in for `day` days after surgery for a procedure with a timeline."""
    procedure = timelines.procedure(procedure_id)
    if procedure is None or not procedure.covered:
        raise ValueError(f"procedure {procedure_id!r} has no timeline in data/timelines.yml")
    phase = phase_at(timelines.phases, day / 7)
    milestones = [m for m in procedure.milestones if m.level is None] or list(procedure.milestones)
    variables = {
        "elapsed": describe_elapsed(day / 7),
        "procedure_label": procedure.label,
        "typical": plain_ranges(phase.typical),
        "avoid": plain_ranges(phase.avoid),
        "start": plain_ranges(phase.start),
        "milestones": plain_ranges(" ".join(m.text for m in milestones)),
    }
    cites = tuple(dict.fromkeys([*phase.cites, *(c for m in milestones for c in m.cites)]))
    about = {Entity.PROCEDURE: procedure.id, Entity.RECOVERY_PHASE: phase.id}
    return Reply(Response.CHECK_IN, variables, cites, about)


def whatsapp_template(text: str) -> Tuple[str, Tuple[str, ...]]:
    """The template body to submit for `text` (each {value} numbered {{1}}, {{2}}... in order) and
    the names of the values in that order."""
    names = tuple(dict.fromkeys(PLACEHOLDER.findall(text)))
    return PLACEHOLDER.sub(lambda found: "{{%d}}" % (names.index(found.group(1)) + 1), text), names


def template_variables(text: str, reply: Reply) -> Dict[str, str]:
    """The values of a check-in for its approved template (`text`: utter_check_in as the clinic's
    profile fills it), numbered as the template numbers them."""
    _, names = whatsapp_template(text)
    return {str(number): str(reply.variables[name]) for number, name in enumerate(names, start=1)}


def main() -> int:
    """Prints the WhatsApp template body to submit for approval, with this clinic's profile."""
    import yaml

    from bot import settings
    from bot.clinic import load_profile
    from bot.rasa.clinic_responses import prepare

    responses = yaml.safe_load(settings.DOMAIN_FILE.read_text(encoding="utf-8"))["responses"]
    [variation] = prepare(responses, load_profile())[Response.CHECK_IN]
    body, names = whatsapp_template(str(variation["text"]))
    print(body)
    print("\n".join(f"{{{{{number}}}}}: {name}" for number, name in enumerate(names, start=1)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
