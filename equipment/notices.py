"""Equipment short of its required quantity, expiring or due for inspection (within 30 days)
and past either, told to the unit's coordinators: once per item, alert and date (a shortage:
once per quantity short of the requirement)."""
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from anbao.extensions import db
from anbao.outbox import service as outbox
from equipment.labels import equipment_label
from equipment.models import Equipment
from equipment.service import SOON, alerts
from units.service import today_in

DATED = {"expired": "expires_on", "expiring_soon": "expires_on",
         "inspection_overdue": "next_inspection_on", "inspection_due_soon": "next_inspection_on"}


def sweep(now: datetime) -> int:
    horizon = (now + SOON + timedelta(days=1)).date()
    items = db.session.scalars(
        sa.select(Equipment).where(sa.or_(Equipment.expires_on <= horizon,
                                          Equipment.next_inspection_on <= horizon,
                                          Equipment.quantity < Equipment.required_quantity))
        .order_by(Equipment.id).options(joinedload(Equipment.unit))).all()
    told = outbox.coordinators({item.unit_id for item in items})
    queue = outbox.Queue(now)
    for item in items:
        today = today_in(item.unit, now)
        for alert in alerts(item, today):
            if alert in DATED:
                day = getattr(item, DATED[alert])
                period = day.isoformat()
            else:  # below_required
                day, period = today, f"{item.quantity}<{item.required_quantity}"
            for recipient in told.get(item.unit_id, []):
                queue.add(recipient, "equipment_alert", f"equipment:{item.id}:{alert}", period,
                          unit_id=item.unit_id,
                          link=outbox.link("equipment_views.item", equipment_id=item.id),
                          item=item, unit=item.unit, day=day, alert=alert,
                          alert_label=equipment_label("alert", alert))
    return queue.send()
