"""Hazards and orders near and past their due date, told to the unit's coordinators: once
when they turn due soon (the compliance rule's 30 days), then every 7 days while overdue."""
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from anbao.extensions import db
from anbao.outbox import service as outbox
from hazards.models import Hazard
from compliance.rules import SOON_DAYS as NEAR_DAYS
from units.service import today_in

REPEAT_DAYS = 7


def sweep(now: datetime) -> int:
    # the latest `today` of any zone is at most a day after UTC's
    horizon = (now + timedelta(days=NEAR_DAYS + 1)).date()
    hazards = db.session.scalars(
        sa.select(Hazard).where(Hazard.status == "open", Hazard.due_date <= horizon)
        .order_by(Hazard.id).options(joinedload(Hazard.unit))).all()
    told = outbox.coordinators({h.unit_id for h in hazards})
    queue = outbox.Queue(now)
    for hazard in hazards:
        today = today_in(hazard.unit, now)
        days = (hazard.due_date - today).days
        if days < 0:
            kind = "hazard_overdue"
            period = f"{hazard.due_date.isoformat()}+{(-days - 1) // REPEAT_DAYS}"
        elif days <= NEAR_DAYS:
            kind, period = "hazard_due_soon", hazard.due_date.isoformat()
        else:
            continue
        for recipient in told.get(hazard.unit_id, []):
            queue.add(recipient, kind, f"hazard:{hazard.id}", period, unit_id=hazard.unit_id,
                      link=outbox.link("hazards_views.hazard", hazard_id=hazard.id),
                      hazard=hazard, unit=hazard.unit)
    return queue.send()
