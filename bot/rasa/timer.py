"""The Rasa server's periodic work, on one timer: an APScheduler of the server's own (the library
Rasa brings), on the server's event loop.

Its jobs live in this process's memory only: replicas never share a job store, and each runs the
same jobs. What a job does is claimed in the database first (an alert's page, a check-in, an
outbox reply), so two replicas never do it twice, and what is due is read from the database, so it
survives restarts. A job still running when its next turn comes is not started again meanwhile.

The jobs: the retention purge (bot/rasa/serve.py), alert pages (bot/rasa/alerting.py), the
check-ins due (bot/rasa/check_ins.py) and each channel's outbox sweep
(bot/rasa/channels/signed_webhook.py).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot import logs

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


def every(app: Any, seconds: float, name: str, job: Job, at_once: bool = False) -> None:
    """Runs `job` every `seconds` on the app's timer (the first time now if `at_once`, else after
    `seconds`); a failure is logged by its type (the database may be down) and the job runs again
    next time."""

    async def guarded() -> None:
        try:
            await job()
        except Exception as error:
            logger.error("%s failed (%s)", name, logs.reason(error))

    first = {"next_run_time": datetime.now(timezone.utc)} if at_once else {}
    timer(app).add_job(
        guarded, "interval", seconds=seconds, id=name, name=name, replace_existing=True, max_instances=1, **first
    )


def timer(app: Any) -> AsyncIOScheduler:
    """The app's timer, started on its event loop the first time it is needed."""
    if getattr(app.ctx, "timer", None) is None:
        app.ctx.timer = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=timezone.utc)
        app.ctx.timer.start()
    return app.ctx.timer


async def stop(app: Any, _: Any) -> None:
    """Stops the app's timer (a server listener, before the server stops)."""
    if getattr(app.ctx, "timer", None) is not None:
        app.ctx.timer.shutdown(wait=False)
