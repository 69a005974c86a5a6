from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from anbao.extensions import UTCDateTime, db, utcnow

SCENARIOS = ("theft_robbery", "sabotage", "accident", "terror_attack", "extreme_individual")
LEVELS = ("comprehensive", "special", "onsite")
STATUSES = ("draft", "approved", "superseded")
SECTIONS = ("scope", "organization", "alerting", "response", "measures", "aftermath",
            "resources")


class Plan(db.Model):
    """One version of a unit's plan for a scenario and level; versions count from 1."""

    __tablename__ = "plans"
    __table_args__ = (sa.UniqueConstraint("unit_id", "scenario", "level", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    scenario: Mapped[str] = mapped_column(sa.String(24))
    level: Mapped[str] = mapped_column(sa.String(16))
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(sa.String(12), default="draft")
    title: Mapped[str] = mapped_column(sa.String(200))
    sections: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    contacts: Mapped[list] = mapped_column(sa.JSON, default=list)
    equipment_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    approved_by: Mapped[str | None] = mapped_column(sa.String(100))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_due: Mapped[date | None] = mapped_column()
    review_requested: Mapped[bool] = mapped_column(default=False)
    review_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    lock_version: Mapped[int] = mapped_column(default=1)

    unit = relationship("Unit")

    __mapper_args__ = {"version_id_col": lock_version}
