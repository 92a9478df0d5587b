"""The console's JSON API against the session's real assistant: sessions, CSRF, roles, the audit
log, transcripts, the inbox and its labels, erasure, and the gate's refusals (lost replies:
test_lost_replies.py)."""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from sqlalchemy import insert

from bot.console.accounts import MAX_FAILURES
from bot.console.app import create_app
from bot.database import MODELS, database
from bot.runtime.client import conversation_id
from tests.console.staff import Staff, console_engine

PARAMETERS = re.compile(r"<(\w+)(?::([^>]*))?>")


@pytest.fixture(scope="module")
def admin(assistant):
    return Staff(assistant, "admin")


@pytest.fixture(scope="module")
def reviewer(assistant):
    return Staff(assistant, "reviewer")


def sample_value(parameter: re.Match) -> str:
    return "1" if parameter.group(2) == "int" else "rest:sample"


def api_routes(tmp_path):
    """Every (method, path) of the console's /api/, with sample values for its parameters."""
    app = create_app(f"routes_{secrets.token_hex(4)}", database(f"sqlite:///{tmp_path / 'routes.db'}"))
    found = set()
    for route in app.router.routes:
        path = "/" + route.path.lstrip("/")
        if path.startswith("/api/"):
            for method in route.methods:
                found.add((method, PARAMETERS.sub(sample_value, path)))
    return sorted(found)


def test_every_api_route_refuses_an_anonymous_request(assistant, tmp_path):
    routes = api_routes(tmp_path)
    assert len(routes) >= 15
    for method, path in routes:
        reply = requests.request(method, f"{assistant.console_url}{path}", json={}, timeout=30)
        assert reply.status_code == 401, (method, path, reply.status_code)


def test_a_wrong_password_is_refused_and_repeated_failures_are_throttled(assistant):
    staff = Staff(assistant, "reviewer")
    anonymous = requests.Session()
    attempt = {"username": staff.username, "password": "not-the-password"}
    for _ in range(MAX_FAILURES["user"]):
        assert anonymous.post(f"{assistant.console_url}/api/session", json=attempt).status_code == 401
    right = {"username": staff.username, "password": staff.password}
    throttled = anonymous.post(f"{assistant.console_url}/api/session", json=right)
    assert throttled.status_code == 429
    assert throttled.json()["retry_after"] > 0


def test_the_session_cookie_is_http_only_and_same_site(assistant):
    staff = Staff(assistant, "reviewer")
    reply = requests.post(
        f"{assistant.console_url}/api/session", json={"username": staff.username, "password": staff.password}
    )
    cookie = reply.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
    behind_https = requests.post(
        f"{assistant.console_url}/api/session",
        json={"username": staff.username, "password": staff.password},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert "Secure" in behind_https.headers["Set-Cookie"]


def test_state_changing_requests_need_the_csrf_token(reviewer):
    label = {"text": "csrf check message", "kind": "ignore"}
    assert reviewer.call("POST", "/api/labels", json=label, csrf="").status_code == 403
    assert reviewer.call("POST", "/api/labels", json=label, csrf="forged").status_code == 403
    assert reviewer.call("DELETE", "/api/session", csrf="").status_code == 403
    assert reviewer.call("POST", "/api/labels", json=label).status_code == 200


def test_reviewers_cannot_train_promote_roll_back_erase_or_read_the_audit_log(reviewer):
    for method, path in (
        ("POST", "/api/models/train"),
        ("POST", "/api/models/some-model/promote"),
        ("POST", "/api/models/rollback"),
        ("DELETE", "/api/conversations/rest:someone"),
        ("POST", "/api/lost-replies/1/resend"),
        ("GET", "/api/audit"),
    ):
        assert reviewer.call(method, path).status_code == 403, path


def test_a_transcript_shows_response_intent_confidence_sources_and_model_and_its_opening_is_audited(
    client, sender, admin
):
    client.send(sender, "Will there be metal in my back after a fusion?")
    conversation = conversation_id(sender)
    transcript = admin.get(f"/api/conversations/{quote(conversation, safe='')}")  # as the page asks
    answer = next(t for t in transcript["turns"] if t.get("response") == "utter_faq/fusion_hardware")
    assert answer["intent"] == "faq" and 0 < answer["intent_confidence"] <= 1 and 0 < answer["answer_confidence"] <= 1
    assert answer["cites"][0]["id"] == "fusion-faq-metal" and "Spinal Fusion" in answer["cites"][0]["title"]
    assert answer["model_id"] == admin.get("/api/models")["production"]
    assert answer["outcome"] == "answered"
    entry = admin.last_audited()
    assert (entry["user"], entry["action"], entry["target"]) == (admin.username, "view_conversation", conversation)


def test_conversations_are_filtered_by_channel_and_outcome(client, sender, reviewer):
    client.send(sender, "what will the weather be like in Paris tomorrow?")
    today = time.strftime("%Y-%m-%d", time.gmtime())
    declined = reviewer.get("/api/conversations", params={"since": today, "channel": "rest", "outcome": "declined"})
    assert conversation_id(sender) in {c["id"] for c in declined["conversations"]}
    escalated = reviewer.get("/api/conversations", params={"outcome": "escalated"})
    assert conversation_id(sender) not in {c["id"] for c in escalated["conversations"]}
    assert reviewer.call("GET", "/api/conversations", params={"since": "last week"}).status_code == 400


def test_a_declined_question_reaches_the_inbox_once_and_its_label_is_exported(assistant, client, reviewer):
    question = f"can my dog sleep on the bed with me {secrets.token_hex(2)}"
    for _ in range(2):
        client.send(f"test-{secrets.token_hex(6)}", question)
    items = [i for i in reviewer.get("/api/inbox")["items"] if i["text"] == question]
    assert len(items) == 1 and items[0]["count"] == 2 and "declined" in items[0]["reasons"]
    saved = reviewer.call("POST", "/api/labels", json={"text": question, "kind": "out_of_scope"})
    assert saved.json()["label"]["by"] == reviewer.username
    bad = reviewer.call("POST", "/api/labels", json={"text": question, "kind": "faq", "faq": "no_such_answer"})
    assert bad.status_code == 400 and "FAQ answer" in bad.json()["error"]
    exported = reviewer.call("POST", "/api/labels/export").json()
    assert exported["exported"] >= 1
    written = Path(assistant.env["console"]["REVIEWED_DATA_FILE"]).read_text(encoding="utf-8")
    assert "- intent: out_of_scope\n  examples: |\n" in written and f"    - {question}\n" in written


def test_a_label_of_an_evaluation_message_is_not_exported(assistant, reviewer):
    message = "Will I set off metal detectors at the airport?"  # not an evaluation message
    held_out = "do i need to change the dressing on the cut myself"  # tests/data/heldout_nlu.yml
    reviewer.call("POST", "/api/labels", json={"text": held_out, "kind": "faq", "faq": "wound_care"})
    reviewer.call("POST", "/api/labels", json={"text": message, "kind": "ignore"})
    skipped = reviewer.call("POST", "/api/labels/export").json()["skipped"]
    assert {"text": held_out, "reason": "in an evaluation set, which is never trained on"} in skipped
    assert held_out not in Path(assistant.env["console"]["REVIEWED_DATA_FILE"]).read_text(encoding="utf-8")


def test_an_admin_erases_a_conversation_and_the_erasure_is_audited(client, sender, admin):
    client.send(sender, "hello")
    conversation = conversation_id(sender)
    assert admin.call("DELETE", f"/api/conversations/{conversation}").json()["conversations"] == 1
    assert admin.call("GET", f"/api/conversations/{conversation}").status_code == 404
    entry = admin.last_audited()
    assert (entry["action"], entry["target"]) == ("erase_conversation", conversation)


def failing_report(red_flag_recall: float) -> str:
    metrics = {"red_flag_recall": {"value": red_flag_recall, "hits": 0, "total": 1}}
    verdict = {"passed": False, "reasons": ["red-flag messages escalated: 99.0%, below the floor of 100%"]}
    return json.dumps({"fingerprint": "x", "metrics": metrics, "answers": {}, "verdict": verdict})


def test_a_model_that_misses_a_red_flag_cannot_be_promoted(assistant, admin):
    model_id = f"missing-red-flag-{secrets.token_hex(4)}"
    with console_engine(assistant).begin() as connection:
        connection.execute(
            insert(MODELS).values(
                model_id=model_id,
                path=str(Path(assistant.env["console"]["MODEL_STORE_DIR"]) / f"{model_id}.tar.gz"),
                created_at=time.time(),
                created_by="test",
                source="console",
                report=failing_report(0.99),
                gate_passed=False,
            )
        )
    production = admin.get("/api/models")["production"]
    refused = admin.call("POST", f"/api/models/{model_id}/promote")
    assert refused.status_code == 409
    assert any("red-flag" in reason for reason in refused.json()["reasons"])
    assert admin.get("/api/models")["production"] == production
    assert admin.last_audited()["action"] == "promote_refused"
