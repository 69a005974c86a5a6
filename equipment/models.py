from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from anbao.extensions import UTCDateTime, db, utcnow

CATEGORIES = ("protective", "restraint", "communication", "fire", "medical", "barrier",
              "detection", "lighting", "other")
INSPECTION_RESULTS = ("ok", "defective")
ALERTS = ("below_required", "expired", "inspection_overdue")


class Equipment(db.Model):
    """An item of emergency equipment; its quantity changes only through movements."""

    __tablename__ = "equipment"
    __table_args__ = (sa.CheckConstraint("quantity >= 0", name="quantity_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    category: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(100))
    quantity: Mapped[int] = mapped_column(default=0)
    required_quantity: Mapped[int | None] = mapped_column()
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    key_part_id: Mapped[int | None] = mapped_column(sa.ForeignKey("key_parts.id"))
    expires_on: Mapped[date | None] = mapped_column()
    next_inspection_on: Mapped[date | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lock_version: Mapped[int] = mapped_column(default=1)

    unit = relationship("Unit")
    key_part = relationship("KeyPart")

    __mapper_args__ = {"version_id_col": lock_version}


class Movement(db.Model):
    """One change of an item's quantity: the ledger (台账) of the item."""

    __tablename__ = "equipment_movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    equipment_id: Mapped[int] = mapped_column(sa.ForeignKey("equipment.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    delta: Mapped[int] = mapped_column()
    quantity_after: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(sa.String(200))
    by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    by: Mapped[str] = mapped_column(sa.String(64), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit = relationship("Unit")


class Inspection(db.Model):
    __tablename__ = "equipment_inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    equipment_id: Mapped[int] = mapped_column(sa.ForeignKey("equipment.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    inspected_on: Mapped[date] = mapped_column()
    result: Mapped[str] = mapped_column(sa.String(12))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    next_inspection_on: Mapped[date | None] = mapped_column()
    by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    by: Mapped[str] = mapped_column(sa.String(64), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
