from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from anbao.extensions import UTCDateTime, db, utcnow

STATUSES = ("draft", "submitted", "accepted", "returned")
DECISIONS = ("accept", "return")
ANSWERS = ("yes", "no", "na")
INSPECTION_KINDS = ("regular", "ad_hoc", "special", "random")


class Report(db.Model):
    """A unit's self-inspection report (自查报告) for one period. Its working revision is
    edited while `draft` or `returned`; each submission freezes a `ReportRevision`."""

    __tablename__ = "reports"
    __table_args__ = (sa.UniqueConstraint("unit_id", "period_start", "period_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    period_start: Mapped[date] = mapped_column()
    period_end: Mapped[date] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(10), default="draft")
    revision: Mapped[int] = mapped_column(default=1)
    content: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # {"C01": {"answer": "yes", "note": ""}, ...}; texts are added when shown
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    narrative: Mapped[str] = mapped_column(sa.Text, default="")
    # the language of the assembled content's server-made words
    language: Mapped[str] = mapped_column(sa.String(8), default="zh_CN")
    assembled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(sa.String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lock_version: Mapped[int] = mapped_column(default=1)

    unit = relationship("Unit")
    revisions = relationship("ReportRevision", order_by="ReportRevision.revision",
                             back_populates="report", viewonly=True)

    __mapper_args__ = {"version_id_col": lock_version}


class ReportRevision(db.Model):
    """A submitted revision, frozen: content, checklist and narrative exactly as the API gave
    them when submitted, their SHA-256, and the police's decision on it."""

    __tablename__ = "report_revisions"
    __table_args__ = (sa.UniqueConstraint("report_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    revision: Mapped[int] = mapped_column()
    content: Mapped[dict] = mapped_column(sa.JSON)
    checklist: Mapped[list] = mapped_column(sa.JSON)
    narrative: Mapped[str] = mapped_column(sa.Text)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_by: Mapped[str] = mapped_column(sa.String(64))
    decision: Mapped[str | None] = mapped_column(sa.String(8))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    reviewer: Mapped[str | None] = mapped_column(sa.String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    report = relationship("Report", back_populates="revisions")
    unit = relationship("Unit", viewonly=True)
    reads = relationship("ReportRead", order_by="ReportRead.id", viewonly=True,
                         lazy="selectin")


class ReportRead(db.Model):
    """Who of the police and supervisors first opened a submitted revision, and when."""

    __tablename__ = "report_reads"
    __table_args__ = (sa.UniqueConstraint("revision_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(sa.ForeignKey("report_revisions.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit = relationship("Unit", viewonly=True)


class Inspection(db.Model):
    """A police inspection (检查) of a unit; its findings became hazards or orders."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    inspected_on: Mapped[date] = mapped_column()
    summary: Mapped[str] = mapped_column(sa.Text)
    hazard_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    spot_check_id: Mapped[int | None] = mapped_column(sa.ForeignKey("spot_checks.id"))
    inspector: Mapped[str] = mapped_column(sa.String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit = relationship("Unit")


class SpotCheck(db.Model):
    """A random draw of units to inspect (GZ-(十七)): the seed and the units it was drawn from
    are kept, so anyone can repeat the draw."""

    __tablename__ = "spot_checks"
    scoped_by_jurisdiction = True  # anbao.scope.scoped

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(sa.ForeignKey("jurisdictions.id"), index=True)
    category: Mapped[str | None] = mapped_column(sa.String(20))
    count: Mapped[int] = mapped_column()
    seed: Mapped[int] = mapped_column(sa.BigInteger)
    candidate_ids: Mapped[list] = mapped_column(sa.JSON)
    unit_ids: Mapped[list] = mapped_column(sa.JSON)
    drawn_by: Mapped[str] = mapped_column(sa.String(64), default="")
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    jurisdiction = relationship("Jurisdiction")
