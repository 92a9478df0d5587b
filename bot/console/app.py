"""The staff console's web server: its page (web/dist/console.*) and the JSON API under /api/
(docs/console.md).

Every /api/ route but the login needs a session cookie; every state-changing request also needs
the session's CSRF token in the X-CSRF-Token header; routes marked admin need the admin role,
those that act on alerts, conversations with the staff or check-in enrolments the nurse or
admin role. /api/alerts/stream is a server-sent event stream: the console's live alert queue.
Database work runs in threads so that a slow query never stalls another staff member's page.
/health, /ready (the database answers: bot/health.py) and /metrics (loopback or RASA_AUTH_TOKEN:
bot/metrics.py) are for load balancers and scrapers.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import json
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Coroutine, Dict, List, Optional, Tuple

import requests
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Engine

from bot import alerts, audit, check_ins, handoffs, health, metrics, outcomes, settings
from bot.check_ins import imports
from bot.console import accounts, conversations, dashboard, handoff, labels, lost_replies, models
from bot.database import database
from bot.rasa import retention
from bot.timelines.data import timeline_data

COOKIE = "console_session"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
PAGES = {
    "/": ("console.html", "text/html; charset=utf-8"),
    "/console.js": ("console.js", "text/javascript; charset=utf-8"),
    "/console.css": ("console.css", "text/css; charset=utf-8"),
}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

Handler = Callable[..., Coroutine[Any, Any, HTTPResponse]]


async def blocking(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Runs database or file work in a thread."""
    return await asyncio.get_running_loop().run_in_executor(None, functools.partial(function, *args, **kwargs))


def error(message: str, status: int, **extra: Any) -> HTTPResponse:
    return response.json({"error": message, **extra}, status=status)


def needs(*roles: str) -> Callable[[Handler], Handler]:
    """A route only staff of these roles may use."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def checked(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            if request.ctx.staff.role not in roles:
                return error(f"this needs a{'n' if roles[0][0] in 'aeiou' else ''} {' or '.join(roles)} account", 403)
            return await handler(request, *args, **kwargs)

        return checked

    return wrap


admin_only = needs(accounts.ADMIN)
nurse_or_admin = needs(accounts.NURSE, accounts.ADMIN)
STREAM_CHECK_SECONDS = 1.0  # how often the live queue looks for changed alerts
STREAM_KEEPALIVE_SECONDS = 15.0


def day_range(request: Request) -> Tuple[Optional[float], Optional[float]]:
    """since / until (YYYY-MM-DD, both days included) as UTC timestamps."""
    bounds: List[Optional[float]] = []
    for name, extra_days in (("since", 0), ("until", 1)):
        raw = request.args.get(name, "")
        if not raw:
            bounds.append(None)
            continue
        try:
            day = datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=timezone.utc) + timedelta(days=extra_days)
        except ValueError:
            raise ValueError(f"{name} must be a date as YYYY-MM-DD, not {raw!r}") from None
        bounds.append(day.timestamp())
    return bounds[0], bounds[1]


def body(request: Request) -> Dict[str, Any]:
    data = request.json if request.body else {}
    if not isinstance(data, dict):
        raise ValueError("send a JSON object")
    return data


def client_address(request: Request) -> str:
    """Who sent the request (login throttling, audit log): behind a reverse proxy on this host
    (deploy/nginx), the address the proxy saw, the last of X-Forwarded-For (what a client writes
    there itself comes before it); else the connection's own."""
    peer = str(request.ip or "unknown")
    forwarded = request.headers.get("x-forwarded-for", "").rpartition(",")[2].strip()
    return forwarded if forwarded and loopback(peer) else peer


def loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def waiting(engine: Engine) -> List[Tuple[str, str, float]]:
    """What waits for the staff, as the console's gauges (bot/metrics.py): alerts (not test
    traffic) and lost replies."""
    open_, unresolved, _ = alerts.counts(engine)
    lost, lost_escalations = lost_replies.counts(engine)
    return [
        ("alerts_open", "Staff alerts nobody has acknowledged yet (not test traffic)", open_),
        ("alerts_unresolved", "Staff alerts not resolved yet (not test traffic)", unresolved),
        ("lost_replies", "Replies the messaging channels lost, listed in the console, not sent again", lost),
        ("lost_escalation_replies", "Of the lost replies, escalations (warning-sign replies)", lost_escalations),
    ]


def create_app(name: str = "staff_console", engine: Optional[Engine] = None) -> Sanic:
    """The console's app, on the conversation database (or `engine`)."""
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = settings.max_request_bytes()
    app.config.FALLBACK_ERROR_FORMAT = "json"
    engine = engine or database()
    retrainer = models.Retrainer(engine)

    @app.middleware("request")
    async def authenticate(request: Request) -> Optional[HTTPResponse]:
        request.ctx.staff = None
        if not request.path.startswith("/api/"):
            return None
        if request.path == "/api/session" and request.method == "POST":
            return None
        staff = await blocking(accounts.session, engine, request.cookies.get(COOKIE, ""))
        if staff is None:
            return error("log in first (POST /api/session)", 401)
        if request.method not in SAFE_METHODS and not accounts.csrf_matches(
            staff, request.headers.get("x-csrf-token", "")
        ):
            return error("missing or wrong X-CSRF-Token header (it comes with the session)", 403)
        request.ctx.staff = staff
        return None

    @app.middleware("response")
    async def secure_headers(request: Request, reply: HTTPResponse) -> None:
        reply.headers.update(SECURITY_HEADERS)
        if request.path.startswith("/api/"):
            reply.headers["Cache-Control"] = "no-store"

    @app.exception(ValueError)
    async def bad_input(request: Request, exception: ValueError) -> HTTPResponse:
        return error(str(exception), 400)

    health.add_health_routes(app, health.database_answers(lambda: engine))
    metrics.add_metrics_route(
        app, metrics.console_registry(functools.partial(waiting, engine)), settings.server_settings().auth_token
    )

    for path, (file_name, content_type) in PAGES.items():
        app.add_route(page_handler(file_name, content_type), path, name=f"page_{file_name.replace('.', '_')}")

    @app.get("/api/session")
    async def who(request: Request) -> HTTPResponse:
        staff = request.ctx.staff
        return response.json({"username": staff.username, "role": staff.role, "csrf_token": staff.csrf_token})

    @app.post("/api/session")
    async def log_in(request: Request) -> HTTPResponse:
        data = body(request)
        username, password = str(data.get("username") or ""), str(data.get("password") or "")
        keys = [f"user:{username.strip().lower()}", f"ip:{client_address(request)}"]
        wait = await blocking(accounts.throttled_for, engine, keys)
        if wait > 0:
            return error("too many failed logins; try again later", 429, retry_after=int(wait) + 1)
        token = await blocking(accounts.login, engine, username, password, keys)
        if token is None:
            return error("wrong user name or password", 401)
        staff = await blocking(accounts.session, engine, token)
        await blocking(audit.record, engine, staff.username, "login", client_address(request))
        reply = response.json({"username": staff.username, "role": staff.role, "csrf_token": staff.csrf_token})
        reply.cookies[COOKIE] = token
        cookie = reply.cookies[COOKIE]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["path"] = "/"
        cookie["max-age"] = accounts.SESSION_SECONDS
        if request.scheme == "https" or request.headers.get("x-forwarded-proto") == "https":
            cookie["secure"] = True
        return reply

    @app.delete("/api/session")
    async def log_out(request: Request) -> HTTPResponse:
        await blocking(accounts.logout, engine, request.cookies.get(COOKIE, ""))
        reply = response.json({"logged_out": True})
        del reply.cookies[COOKIE]
        return reply

    @app.get("/api/dashboard")
    async def get_dashboard(request: Request) -> HTTPResponse:
        since, until = day_range(request)
        return response.json(await blocking(dashboard.summary, engine, since, until))

    @app.get("/api/inbox")
    async def get_inbox(request: Request) -> HTTPResponse:
        return response.json({"items": await blocking(labels.inbox, engine)})

    @app.get("/api/label-options")
    async def label_options(request: Request) -> HTTPResponse:
        return response.json(await blocking(labels.options))

    @app.post("/api/labels")
    async def save_label(request: Request) -> HTTPResponse:
        data = body(request)
        label = await blocking(
            labels.save_label,
            engine,
            str(data.get("text") or ""),
            str(data.get("kind") or ""),
            request.ctx.staff.username,
            faq=data.get("faq"),
            intent=data.get("intent"),
            entities=data.get("entities") if isinstance(data.get("entities"), dict) else None,
        )
        return response.json({"label": label})

    @app.post("/api/labels/export")
    async def export_labels(request: Request) -> HTTPResponse:
        result = await blocking(labels.export, engine)
        return response.json({"file": result.path.name, "exported": result.exported, "skipped": result.skipped})

    @app.get("/api/conversations")
    async def list_conversations(request: Request) -> HTTPResponse:
        since, until = day_range(request)
        lines = await blocking(
            conversations.summaries,
            engine,
            since,
            until,
            request.args.get("channel", ""),
            request.args.get("outcome", ""),
        )
        return response.json(
            {
                "conversations": lines,
                "channels": sorted({line["channel"] for line in lines}),
                "outcomes": [*outcomes.OUTCOMES, conversations.FEEDBACK_OUTCOME],
            }
        )

    @app.get("/api/conversations/<conversation_id:str>", unquote=True)  # ids hold ":" (the page encodes it)
    async def show_conversation(request: Request, conversation_id: str) -> HTTPResponse:
        found = await blocking(conversations.transcript, engine, conversation_id)
        if found is None:
            return error("no such conversation (it may have been erased or purged)", 404)
        await blocking(audit.record, engine, request.ctx.staff.username, "view_conversation", conversation_id)
        return response.json(found)

    @app.delete("/api/conversations/<conversation_id:str>", unquote=True)
    @admin_only
    async def erase_conversation(request: Request, conversation_id: str) -> HTTPResponse:
        log = await blocking(retention.erasure_log)
        removed = await blocking(retention.erase, engine, conversation_id, log)
        await blocking(labels.export, engine)
        await blocking(audit.record, engine, request.ctx.staff.username, "erase_conversation", conversation_id)
        return response.json({"erased": removed.events, "conversations": removed.conversations})

    @app.get("/api/handoffs")
    async def list_handoffs(request: Request) -> HTTPResponse:
        return response.json({"handoffs": await blocking(handoffs.listing, engine)})

    @app.post("/api/conversations/<conversation_id:str>/handoff", unquote=True)
    @nurse_or_admin
    async def take_over(request: Request, conversation_id: str) -> HTTPResponse:
        return await staff_step(handoff.take_over, conversation_id, request.ctx.staff.username, "handoff")

    @app.post("/api/conversations/<conversation_id:str>/messages", unquote=True)
    @nurse_or_admin
    async def staff_reply(request: Request, conversation_id: str) -> HTTPResponse:
        text = str(body(request).get("text") or "")
        return await staff_step(handoff.reply, conversation_id, request.ctx.staff.username, "sent", text)

    @app.post("/api/conversations/<conversation_id:str>/handback", unquote=True)
    @nurse_or_admin
    async def hand_back(request: Request, conversation_id: str) -> HTTPResponse:
        return await staff_step(handoff.hand_back, conversation_id, request.ctx.staff.username, "handed_back")

    async def staff_step(
        step: Callable[..., Any], conversation_id: str, username: str, key: str, *args: Any
    ) -> HTTPResponse:
        if await blocking(conversations.transcript, engine, conversation_id) is None:
            return error("no such conversation (it may have been erased or purged)", 404)
        try:
            result = await blocking(step, engine, conversation_id, username, *args)
        except handoff.NotWithStaff as wrong_state:
            return error(str(wrong_state), 409)
        except handoff.NotDelivered as failed:
            return error(f"the patient was not reached: {failed}", 502)
        return response.json({key: True if result is None else result})

    @app.get("/api/enrolments")
    async def list_enrolments(request: Request) -> HTTPResponse:
        return response.json({"enrolments": await blocking(check_ins.listing, engine)})

    @app.post("/api/enrolments")
    @nurse_or_admin
    async def enrol(request: Request) -> HTTPResponse:
        given = body(request)
        enrolment = check_ins.Request(
            **{field: str(given.get(key) or "") for field, key in check_ins.REQUEST_FIELDS.items()},
            hour=given.get("hour"),
            consent=given.get("consent"),
        )
        try:
            enrolment_id = await blocking(
                check_ins.enrol, engine, enrolment, timeline_data(), check_ins.schedule(), request.ctx.staff.username
            )
        except check_ins.AlreadyEnrolled as twice:
            return error(str(twice), 409)
        [enrolled] = await blocking(check_ins.listing, engine, enrolment_id)
        return response.json({"enrolment": enrolled}, status=201)

    @app.post("/api/enrolments/import")
    @nurse_or_admin
    async def import_enrolments(request: Request) -> HTTPResponse:
        text = str(body(request).get("csv") or "")
        result = await blocking(
            imports.enrol_rows, engine, text, timeline_data(), check_ins.schedule(), request.ctx.staff.username
        )
        return response.json(result)

    @app.delete("/api/enrolments/<enrolment_id:int>")
    @nurse_or_admin
    async def stop_enrolment(request: Request, enrolment_id: int) -> HTTPResponse:
        if not await blocking(check_ins.listing, engine, enrolment_id):
            return error(f"no enrolment {enrolment_id}", 404)
        username = request.ctx.staff.username
        if not await blocking(check_ins.stop, engine, enrolment_id, check_ins.BY_STAFF, username):
            return error(f"enrolment {enrolment_id} has stopped already", 409)
        [stopped] = await blocking(check_ins.listing, engine, enrolment_id)
        return response.json({"enrolment": stopped})

    @app.get("/api/lost-replies")
    async def list_lost_replies(request: Request) -> HTTPResponse:
        return response.json(await blocking(lost_replies.listing, engine))

    @app.post("/api/lost-replies/<reply_id:int>/resend")
    @admin_only
    async def resend_reply(request: Request, reply_id: int) -> HTTPResponse:
        try:
            reply = await blocking(lost_replies.send_again, engine, reply_id)
        except LookupError as missing:
            return error(str(missing), 404)
        except lost_replies.NotLost as not_lost:
            return error(str(not_lost), 409)
        target = f"{reply['conversation_id']} (reply {reply_id})"
        await blocking(audit.record, engine, request.ctx.staff.username, "resend_reply", target)
        return response.json({"queued": reply})

    @app.get("/api/alerts")
    async def list_alerts(request: Request) -> HTTPResponse:
        include_test = request.args.get("test", "") in ("1", "true")
        return response.json(await blocking(alerts.listing, engine, include_test))

    @app.get("/api/alerts/stream")
    async def alert_stream(request: Request) -> None:
        """Server-sent events: `alerts` with the open and unresolved counts whenever an alert
        changes, `handoffs` whenever a conversation goes to or from the staff or a patient writes
        in one (each also once at the start); a comment line now and then keeps proxies from
        closing it."""
        stream = await request.respond(
            content_type="text/event-stream", headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        )
        last_alerts, last_handoffs, quiet = None, None, 0.0
        while True:
            open_, unresolved, changed = await blocking(alerts.counts, engine)
            with_staff, activity = await blocking(handoffs.activity, engine)
            said = False
            if (open_, unresolved, changed) != last_alerts:
                last_alerts = (open_, unresolved, changed)
                data = json.dumps({"open": open_, "unresolved": unresolved})
                await stream.send(f"event: alerts\ndata: {data}\n\n")
                said = True
            if (with_staff, activity) != last_handoffs:
                last_handoffs = (with_staff, activity)
                await stream.send(f"event: handoffs\ndata: {json.dumps({'with_staff': with_staff})}\n\n")
                said = True
            if said:
                quiet = 0.0
            elif quiet >= STREAM_KEEPALIVE_SECONDS:
                await stream.send(": still here\n\n")
                quiet = 0.0
            await asyncio.sleep(STREAM_CHECK_SECONDS)
            quiet += STREAM_CHECK_SECONDS

    @app.post("/api/alerts/<alert_id:int>/acknowledge")
    @nurse_or_admin
    async def acknowledge_alert(request: Request, alert_id: int) -> HTTPResponse:
        return await alert_step(alerts.acknowledge, alert_id, request.ctx.staff.username)

    @app.post("/api/alerts/<alert_id:int>/resolve")
    @nurse_or_admin
    async def resolve_alert(request: Request, alert_id: int) -> HTTPResponse:
        return await alert_step(alerts.resolve, alert_id, request.ctx.staff.username)

    async def alert_step(step: Callable[..., Dict[str, Any]], alert_id: int, username: str) -> HTTPResponse:
        try:
            return response.json({"alert": await blocking(step, engine, alert_id, username)})
        except LookupError as missing:
            return error(str(missing), 404)
        except alerts.AlertStateError as wrong_state:
            return error(str(wrong_state), 409)

    @app.get("/api/models")
    async def list_models(request: Request) -> HTTPResponse:
        listing = await blocking(models.listing, engine)
        return response.json({**listing, "job": retrainer.job.as_dict()})

    @app.get("/api/job")
    async def job(request: Request) -> HTTPResponse:
        return response.json(retrainer.job.as_dict())

    @app.post("/api/models/train")
    @admin_only
    async def train(request: Request) -> HTTPResponse:
        try:
            started = retrainer.start(request.ctx.staff.username)
        except RuntimeError as busy:
            return error(str(busy), 409)
        await blocking(audit.record, engine, request.ctx.staff.username, "retrain", "")
        return response.json({"job": started.as_dict()}, status=202)

    @app.get("/api/models/<model_id:str>/report")
    async def model_report(request: Request, model_id: str) -> HTTPResponse:
        found = await blocking(models.report, engine, model_id)
        return response.json(found) if found else error("no report for this model (yet)", 404)

    @app.post("/api/models/<model_id:str>/promote")
    @admin_only
    async def promote(request: Request, model_id: str) -> HTTPResponse:
        return await change_production(request, "promote", model_id, models.promote, engine, model_id)

    @app.post("/api/models/rollback")
    @admin_only
    async def rollback(request: Request) -> HTTPResponse:
        return await change_production(request, "rollback", "", models.rollback, engine)

    async def change_production(request: Request, action: str, target: str, *call: Any) -> HTTPResponse:
        username = request.ctx.staff.username
        try:
            result = await blocking(*call, username)
        except models.PromotionRefused as refused:
            await blocking(audit.record, engine, username, f"{action}_refused", target)
            return error(str(refused), 409, reasons=refused.reasons)
        except LookupError as missing:
            return error(str(missing), 404)
        except (models.SwapFailed, requests.RequestException) as failed:
            return error(f"production is unchanged: {failed}", 502)
        await blocking(audit.record, engine, username, action, result["production"])
        return response.json(result)

    @app.get("/api/audit")
    @admin_only
    async def audit_log(request: Request) -> HTTPResponse:
        return response.json({"entries": await blocking(audit.entries, engine)})

    return app


def page_handler(file_name: str, content_type: str) -> Handler:
    async def page(request: Request) -> HTTPResponse:
        path = settings.CONSOLE_PAGE_DIR / file_name
        if not path.is_file():
            return error(f"{path.name} is missing: run `make widget`", 404)
        return response.raw(
            await blocking(path.read_bytes), content_type=content_type, headers={"Cache-Control": "no-cache"}
        )

    return page
