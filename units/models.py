from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from anbao.extensions import UTCDateTime, db, utcnow

CATEGORIES = ("government", "school", "hospital", "bank", "museum", "transit", "utility",
              "enterprise", "other")
PERSON_ROLES = ("security_full_time", "security_part_time", "guard", "staff")


class Jurisdiction(db.Model):
    """A node of the city → district → station tree; `path` makes subtree queries one LIKE."""

    __tablename__ = "jurisdictions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("jurisdictions.id"), index=True)
    path: Mapped[str] = mapped_column(sa.String(255), default="", index=True)
    version: Mapped[int] = mapped_column(default=1)

    parent: Mapped["Jurisdiction | None"] = relationship(remote_side=[id])

    __mapper_args__ = {"version_id_col": version}


class Unit(db.Model):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    credit_code: Mapped[str] = mapped_column(sa.String(18), unique=True)
    category: Mapped[str] = mapped_column(sa.String(16), index=True)
    jurisdiction_id: Mapped[int] = mapped_column(sa.ForeignKey("jurisdictions.id"), index=True)
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    headcount: Mapped[int] = mapped_column(default=0)
    key_security_unit: Mapped[bool] = mapped_column(default=False)
    key_target: Mapped[bool] = mapped_column(default=False)
    key_since: Mapped[date | None] = mapped_column()
    responsible_person: Mapped[str] = mapped_column(sa.String(100), default="")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Asia/Shanghai")
    registered_on: Mapped[date] = mapped_column()
    medical_staff: Mapped[int | None] = mapped_column()
    beds: Mapped[int | None] = mapped_column()
    daily_outpatients: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    campuses: Mapped[list["Campus"]] = relationship(
        back_populates="unit", order_by="Campus.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def hospital(self) -> dict | None:
        if self.category != "hospital":
            return None
        return {"medical_staff": self.medical_staff or 0, "beds": self.beds or 0,
                "daily_outpatients": self.daily_outpatients or 0}


class Campus(db.Model):
    __tablename__ = "campuses"
    __table_args__ = (sa.UniqueConstraint("unit_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    population: Mapped[int] = mapped_column(default=0)
    boarding_students: Mapped[int] = mapped_column(default=0)

    unit: Mapped[Unit] = relationship(back_populates="campuses")


class Person(db.Model):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    role: Mapped[str] = mapped_column(sa.String(24))
    campus_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campuses.id"))
    guard_certificate_no: Mapped[str | None] = mapped_column(sa.String(64))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    left_on: Mapped[date | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    unit: Mapped[Unit] = relationship()
    campus_ref: Mapped[Campus | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def campus(self) -> str | None:
        return self.campus_ref.name if self.campus_ref else None

    def has_left(self) -> bool:
        """Whether the leaving date has come, in the unit's zone."""
        return self.left_on is not None \
            and self.left_on <= datetime.now(ZoneInfo(self.unit.timezone)).date()


class KeyPart(db.Model):
    __tablename__ = "key_parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[str] = mapped_column(sa.String(100), default="")
    video_linked: Mapped[bool] = mapped_column(default=False)
    video_retention_days: Mapped[int | None] = mapped_column()
    barriers: Mapped[str] = mapped_column(sa.Text, default="")
    patrol_per_day: Mapped[int | None] = mapped_column()
    version: Mapped[int] = mapped_column(default=1)

    unit: Mapped[Unit] = relationship()

    __mapper_args__ = {"version_id_col": version}
