from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from anbao.extensions import UTCDateTime, db, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(sa.String(64), default="")
    action: Mapped[str] = mapped_column(sa.String(32))
    entity: Mapped[str] = mapped_column(sa.String(32))
    entity_id: Mapped[int | None] = mapped_column()
    # the unit and jurisdiction the record belongs to, so police read it through scope
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    jurisdiction_id: Mapped[int | None] = mapped_column(sa.ForeignKey("jurisdictions.id"))
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    # read only: its time zone shows the instant (API.md: date-times in the unit's zone)
    unit = relationship("Unit", viewonly=True)
