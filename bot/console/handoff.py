"""The console's side of a handoff (bot/handoffs.py): a nurse takes a conversation over, replies
and hands it back; what the patient is told goes through a Rasa server, which adds it to the
conversation and sends it in the patient's channel (POST /assistant/conversations/<id>/staff)."""

from __future__ import annotations

from typing import Any, Dict, Optional
from urllib.parse import quote

import requests
from sqlalchemy.engine import Engine

from bot import audit, handoffs, settings

TIMEOUT_SECONDS = 30


class NotWithStaff(RuntimeError):
    """The conversation is not (or already) with the staff."""


class NotDelivered(RuntimeError):
    """No Rasa server took the message for the patient."""


def tell_patient(conversation_id: str, kind: str, staff: str, text: str = "") -> str:
    """Has a Rasa server (the first of RASA_REPLICA_URLS that answers) say it to the patient;
    returns the text sent."""
    problems = []
    for url in settings.rasa_replica_urls():
        try:
            reply = requests.post(
                f"{url}/assistant/conversations/{quote(conversation_id, safe='')}/staff",
                json={"kind": kind, "staff": staff, "text": text},
                headers={"Authorization": f"Bearer {settings.server_settings().auth_token}"},
                timeout=TIMEOUT_SECONDS,
            )
        except requests.RequestException as error:
            problems.append(f"{url}: {type(error).__name__}")
            continue
        if reply.status_code == 200:
            return str(reply.json().get("sent") or "")
        if reply.status_code in (400, 404, 409):
            raise NotDelivered(str(reply.json().get("error") or reply.text[:200]))
        problems.append(f"{url}: HTTP {reply.status_code}")
    raise NotDelivered(f"no Rasa server took the message ({'; '.join(problems)})")


def take_over(engine: Engine, conversation_id: str, username: str) -> Dict[str, Any]:
    """The staff have the conversation from now on, and the patient is told a person has joined.
    A conversation the patient handed over is taken as it is; one a colleague took is refused."""
    handoff: Optional[handoffs.Handoff] = handoffs.active(engine, conversation_id)
    if handoff is not None and handoff.started_by != handoffs.PATIENT:
        raise NotWithStaff(f"{handoff.started_by} has this conversation already")
    handoff = handoff or handoffs.start(engine, conversation_id, username)
    tell_patient(conversation_id, "joined", username)
    audit.record(engine, username, "handoff_taken", conversation_id)
    return handoff.as_dict() if handoff else {}


def reply(engine: Engine, conversation_id: str, username: str, text: str) -> str:
    """A staff reply to a conversation the staff have; the text sent."""
    if not " ".join(text.split()):
        raise ValueError("write a reply: text is empty")
    if handoffs.active(engine, conversation_id) is None:
        raise NotWithStaff("take the conversation over first (POST .../handoff)")
    sent = tell_patient(conversation_id, "message", username, text)
    audit.record(engine, username, "staff_reply", conversation_id)
    return sent


def hand_back(engine: Engine, conversation_id: str, username: str) -> None:
    """The assistant answers the conversation again; the patient is told."""
    if not handoffs.end(engine, conversation_id, username):
        raise NotWithStaff("this conversation is not with the staff")
    tell_patient(conversation_id, "left", username)
