"""Obligations in the coordinator's calendar feed: each due date an all-day event. A feed is
rebuilt when its unit's watermark moves, so whatever a due date is computed from moves it:
plans, hazards, equipment and the unit itself (here, on flush), outcomes (drills already
do), and the admin's rule intervals (`update_months`)."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from icalendar import Event
from sqlalchemy.orm import Session

from anbao.extensions import db
from anbao.i18n import gettext as _
from compliance import rules
from compliance.labels import STATUS_LABELS
from compliance.service import evaluate
from drills.service import touch
from reports import periods
from plans.labels import plan_label
from plans.models import Plan

UTC = ZoneInfo("UTC")


def events(unit, words_for_subject) -> list[Event]:
    """One all-day event per obligation with a due date, as of today in the unit's zone."""
    found = []
    for item in evaluate([unit])[0].items:
        if item.due_date is None:
            continue
        rule = rules.RULES[item.rule]
        event = Event()
        # a new due date is a new event: the one of the old date leaves the feed
        event.add("uid", f"obligation-{unit.id}-{item.rule}-{item.subject or 'unit'}-"
                         f"{item.due_date.isoformat()}@anbao")
        stamp = datetime.combine(item.due_date, time(), UTC)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.due_date)
        event.add("dtend", item.due_date + timedelta(days=1))
        subject = words_for_subject(item)
        title = f"{rule.title} · {subject}" if subject else str(rule.title)
        event.add("summary", _("Due: %(title)s", title=title))
        event.add("description", f"{STATUS_LABELS[item.status]} · {rule.clause}\n{item.detail}")
        event.add("categories", [_("Obligation")])
        event.add("transp", "TRANSPARENT")
        found.append(event)
    return found


def subject_words(unit):
    """An item's subject in words: a scenario, or a plan's title."""
    titles = dict(db.session.execute(sa.select(Plan.id, Plan.title)
                                     .where(Plan.unit_id == unit.id)).all())

    def words(item):
        if not item.subject:
            return None
        if item.rule == "PLAN-REVIEW":
            return titles.get(int(item.subject), item.subject)
        if item.rule == "REPORT":
            return periods.words(item.subject)
        return plan_label("scenario", item.subject)
    return words


# What due dates are computed from; `Unit` for its key flags and `key_since`, `Movement` for
# the stock a conditional UPDATE changes, `Report` for the reports' periods
WATCHED = ("Plan", "Hazard", "Equipment", "Movement", "Unit", "Report")


@sa.event.listens_for(Session, "after_flush")
def _move_watermarks(session, _context) -> None:
    # after the flush's own writes (which still show as new, dirty and deleted here): a
    # writer's lock is taken no earlier than without this
    units = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        name = type(obj).__name__
        if name not in WATCHED:
            continue
        unit_id = obj.id if name == "Unit" else getattr(obj, "unit_id", None)
        if unit_id is not None:
            units.add(unit_id)
    for unit_id in sorted(units):
        touch(unit_id)
