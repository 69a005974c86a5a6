from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from anbao.extensions import UTCDateTime, db, utcnow

ROLES = ("admin", "police", "supervisor", "coordinator", "staff")
UNIT_ROLES = ("coordinator", "staff")
OVERSIGHT_ROLES = ("police", "supervisor")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(16))
    display_name: Mapped[str] = mapped_column(sa.String(100), default="")
    email: Mapped[str | None] = mapped_column(sa.String(254))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    jurisdiction_id: Mapped[int | None] = mapped_column(sa.ForeignKey("jurisdictions.id"))
    sectors: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    language: Mapped[str | None] = mapped_column(sa.String(8))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    unit = relationship("Unit", foreign_keys=[unit_id])
    jurisdiction = relationship("Jurisdiction")
    person = relationship("Person")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_active(self) -> bool:
        """Enabled, and not linked to a person who has left the unit."""
        return self.active and not (self.person is not None and self.person.has_left())

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class LoginFailure(db.Model):
    """One failed password check; the window of these throttles a username."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
