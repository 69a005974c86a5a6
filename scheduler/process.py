"""`anbao scheduler run`: wait to be the leader, then run the jobs on APScheduler until
stopped or until the lock is lost (then wait again)."""
import logging
import signal
import threading
from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from anbao.extensions import db
from scheduler import jobs
from scheduler.leader import Leader

log = logging.getLogger("anbao.scheduler")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _start(app: Flask) -> BackgroundScheduler:
    settings = app.config
    scheduler = BackgroundScheduler(timezone=settings["TIMEZONE"], job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": 3600})
    scheduler.add_job(lambda: jobs.frequent(app, _now()), "interval", id="frequent",
                      seconds=settings["SCHEDULER_INTERVAL"], next_run_time=_now())
    hour, minute = settings["SCHEDULER_DAILY_AT"]
    scheduler.add_job(lambda: jobs.daily(app, _now()), "cron", id="daily", hour=hour,
                      minute=minute)
    # a leader that starts late (after a failover, a restart) catches up at once
    scheduler.add_job(lambda: jobs.daily(app, _now()), id="catch-up", next_run_time=_now())
    scheduler.start()
    return scheduler


def run(app: Flask, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_args: stop.set())
    poll = app.config["SCHEDULER_POLL"]
    with app.app_context():
        leader = Leader(db.engine, app.instance_path)
    while not stop.is_set():
        if not leader.acquire():
            log.info("waiting: another scheduler is the leader")
            while not stop.wait(poll) and not leader.acquire():
                pass
            if stop.is_set():
                break
        log.info("leader: running the jobs")
        scheduler = _start(app)
        while not stop.wait(poll):
            if not leader.holds():
                log.warning("lost the leader lock: stopping the jobs")
                break
        scheduler.shutdown(wait=True)
        leader.release()
    log.info("stopped")
