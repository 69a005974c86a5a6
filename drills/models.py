from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from anbao.extensions import UTCDateTime, db, utcnow

KINDS = ("drill", "training")
FORMATS = ("tabletop", "functional", "full_scale")
TOPICS = ("awareness", "skills", "national_security", "anti_terror")
STATUSES = ("scheduled", "completed", "cancelled")
RESULTS = ("met", "partially_met", "not_met", "not_observed")

participants = sa.Table(
    "activity_participants", db.metadata,
    sa.Column("activity_id", sa.ForeignKey("activities.id"), primary_key=True),
    sa.Column("person_id", sa.ForeignKey("people.id"), primary_key=True, index=True))


class Activity(db.Model):
    """A drill (演练) or a training (培训), once or as a series (RRULE in the unit's zone)."""

    __tablename__ = "activities"
    __table_args__ = (sa.Index("ix_activities_unit_starts", "unit_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    uid: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    title: Mapped[str] = mapped_column(sa.String(200))
    scenario: Mapped[str | None] = mapped_column(sa.String(24))
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plans.id"))
    format: Mapped[str | None] = mapped_column(sa.String(12))
    topic: Mapped[str | None] = mapped_column(sa.String(20))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    key_part_id: Mapped[int | None] = mapped_column(sa.ForeignKey("key_parts.id"))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    rrule: Mapped[str | None] = mapped_column(sa.String(500))
    # the last instant the series can start (None: unbounded or not a series), for windows
    last_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unannounced: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(10), default="scheduled")
    cancel_reason: Mapped[str] = mapped_column(sa.Text, default="")
    sequence: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str] = mapped_column(sa.String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lock_version: Mapped[int] = mapped_column(default=1)

    unit = relationship("Unit")
    plan = relationship("Plan")
    key_part = relationship("KeyPart")
    people = relationship("Person", secondary=participants, order_by="Person.id")
    exceptions = relationship("Occurrence", order_by="Occurrence.original_start",
                              back_populates="activity", lazy="selectin")

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def participant_ids(self) -> list[int]:
        return [person.id for person in self.people]


class Occurrence(db.Model):
    """One occurrence of a series that differs from the rule: moved, cancelled or completed."""

    __tablename__ = "activity_occurrences"
    __table_args__ = (sa.UniqueConstraint("activity_id", "original_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    original_start: Mapped[datetime] = mapped_column(UTCDateTime)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(10), default="scheduled")
    cancel_reason: Mapped[str] = mapped_column(sa.Text, default="")
    sequence: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    activity = relationship("Activity", back_populates="exceptions")


class Outcome(db.Model):
    """What happened at a drill or training (演练记录, AQ/T 9009; HSEEP after-action report)."""

    __tablename__ = "activity_outcomes"
    # `occurrence_key`: the occurrence's original start for a series, "" for a single activity,
    # so that one outcome per activity or occurrence is a plain unique constraint
    __table_args__ = (sa.UniqueConstraint("activity_id", "occurrence_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    occurrence: Mapped[datetime | None] = mapped_column(UTCDateTime)
    occurrence_key: Mapped[str] = mapped_column(sa.String(40), default="")
    held_from: Mapped[datetime] = mapped_column(UTCDateTime)
    held_to: Mapped[datetime] = mapped_column(UTCDateTime)
    attendee_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    participants_count: Mapped[int] = mapped_column(default=0)
    objectives: Mapped[list] = mapped_column(sa.JSON, default=list)
    response_times: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    equipment_checks: Mapped[list] = mapped_column(sa.JSON, default=list)
    findings: Mapped[list] = mapped_column(sa.JSON, default=list)
    hazard_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    noteworthy: Mapped[str] = mapped_column(sa.Text, default="")
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    evaluator: Mapped[str] = mapped_column(sa.String(100), default="")
    created_by: Mapped[str] = mapped_column(sa.String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    activity = relationship("Activity")
    unit = relationship("Unit")


class CalendarFeed(db.Model):
    """A secret feed URL: a user's own feed, or a unit's whole feed. Rotating replaces the
    token; the old URL then answers 404."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (sa.UniqueConstraint("kind", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(8))  # "user" or "unit"
    owner_id: Mapped[int] = mapped_column()
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    language: Mapped[str] = mapped_column(sa.String(8), default="zh_CN")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarWatermark(db.Model):
    """When anything a unit's feeds show last changed (also a deletion): feeds' tags and
    Last-Modified follow it, and it never moves backwards."""

    __tablename__ = "calendar_watermarks"

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), primary_key=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
