from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from anbao.attachments.models import Attachment
from anbao.extensions import UTCDateTime, db, utcnow

SEVERITIES = ("low", "medium", "high", "major")
SOURCES = ("self_inspection", "drill", "police_inspection", "supervisor", "other")
STATUSES = ("open", "rectified", "closed")
ESCALATION_TARGETS = ("supervisor", "police")
# what happened to a hazard, in its history
STEPS = ("create", "update", "evidence", "rectify", "accept", "reject", "escalate",
         "acknowledge")


class Hazard(db.Model):
    """A hazard of a unit (隐患), or a police rectification order (责令限期整改) when `order`."""

    __tablename__ = "hazards"
    __table_args__ = (sa.Index("ix_hazards_unit_status_due", "unit_id", "status", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    order: Mapped[bool] = mapped_column("is_order", default=False)
    description: Mapped[str] = mapped_column(sa.Text)
    severity: Mapped[str] = mapped_column(sa.String(8))
    source: Mapped[str] = mapped_column(sa.String(20))
    owner: Mapped[str] = mapped_column(sa.String(100), default="")
    due_date: Mapped[date] = mapped_column()
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    key_part_id: Mapped[int | None] = mapped_column(sa.ForeignKey("key_parts.id"))
    legal_basis: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[str] = mapped_column(sa.String(12), default="open")
    measures: Mapped[str] = mapped_column(sa.Text, default="")
    rectified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rectified_by: Mapped[str | None] = mapped_column(sa.String(64))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by: Mapped[str | None] = mapped_column(sa.String(64))
    verification_comment: Mapped[str] = mapped_column(sa.Text, default="")
    escalated_to: Mapped[str | None] = mapped_column(sa.String(12))
    escalation_reason: Mapped[str] = mapped_column(sa.Text, default="")
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(sa.String(64))
    acknowledgement_comment: Mapped[str] = mapped_column(sa.Text, default="")
    created_by: Mapped[str] = mapped_column(sa.String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lock_version: Mapped[int] = mapped_column(default=1)

    unit = relationship("Unit")
    key_part = relationship("KeyPart")
    evidence = relationship(
        Attachment, viewonly=True, order_by=Attachment.id, lazy="selectin",
        primaryjoin=lambda: sa.and_(Attachment.entity == "hazard",
                                    foreign(Attachment.entity_id) == Hazard.id))
    history = relationship("HazardStep", viewonly=True, order_by="HazardStep.id")

    __mapper_args__ = {"version_id_col": lock_version}


class HazardStep(db.Model):
    """One step in a hazard's life, kept for good: who did what, when, and why."""

    __tablename__ = "hazard_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(sa.ForeignKey("hazards.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(12))
    status: Mapped[str] = mapped_column(sa.String(12))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    attachment_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    by: Mapped[str] = mapped_column(sa.String(64), default="")
    by_role: Mapped[str] = mapped_column(sa.String(12), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit = relationship("Unit")
