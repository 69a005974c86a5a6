"""The scheduler's jobs. Each reads the database as of an instant, queues what it decides
to tell in the outbox and commits; running one twice, or in two processes at once, queues
nothing twice (the outbox's unique keys). Email leaves in `deliver`."""
import logging
from datetime import datetime

from flask import Flask

from anbao.extensions import db
from anbao.outbox import mail
from compliance import notices as compliance_notices
from drills import reminders
from equipment import notices as equipment_notices
from hazards import notices as hazards_notices

log = logging.getLogger("anbao.scheduler")

# the frequent job: reminders are due by the minute
FREQUENT = {"reminders": reminders.remind}
# the daily sweep, in the configured time zone
DAILY = {"obligations": compliance_notices.sweep, "hazards": hazards_notices.sweep,
         "equipment": equipment_notices.sweep}


def run(app: Flask, jobs: dict, now: datetime) -> dict[str, int]:
    """Run the jobs as of `now`, each in its own transaction, then deliver email; what each
    did. One job failing does not stop the others."""
    done = {}
    # messages carry links: url_for needs a request's host and scheme
    with app.app_context(), app.test_request_context(base_url=app.config["BASE_URL"]):
        for name, job in jobs.items():
            try:
                done[name] = job(now)
                db.session.commit()
            except Exception:  # noqa: BLE001 - logged; the next run tries again
                db.session.rollback()
                log.exception("job %s failed as of %s", name, now.isoformat())
                done[name] = None
        try:
            done["sent"] = mail.deliver(now)
        except Exception:  # noqa: BLE001
            db.session.rollback()
            log.exception("delivery failed as of %s", now.isoformat())
            done["sent"] = None
        db.session.remove()
    return done


def tick(app: Flask, now: datetime) -> dict[str, int]:
    """Every job once as of `now` (tests, catch-up)."""
    return run(app, {**FREQUENT, **DAILY}, now)


def frequent(app: Flask, now: datetime) -> dict[str, int]:
    return run(app, FREQUENT, now)


def daily(app: Flask, now: datetime) -> dict[str, int]:
    return run(app, DAILY, now)
