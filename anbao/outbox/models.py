from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from anbao.extensions import UTCDateTime, db, utcnow

EMAIL_STATES = ("none", "pending", "sent", "failed", "expired", "withdrawn")


class Notification(db.Model):
    """One message to one recipient (DESIGN.md §2 Notification). `key` names the recipient,
    the kind, the subject and the occurrence or period, so whatever decides to send it twice
    finds it already there. A recipient without an account (a participant with only an email
    address) has no `user_id`: the message is email only."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_delivery", "email_status", "next_attempt_at"),)
    owned_by_user = True  # scope: a user sees only their own (anbao.scope.scoped)

    # an INSERT that finds its key taken still draws an id on PostgreSQL
    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                                    primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(255), unique=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    language: Mapped[str] = mapped_column(sa.String(8), default="zh_CN")
    kind: Mapped[str] = mapped_column(sa.String(32))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    # the same message in the other language, below the first in the email
    other_subject: Mapped[str] = mapped_column(sa.String(300), default="")
    other_body: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_status: Mapped[str] = mapped_column(sa.String(10), default="none")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # a sender holds the message until then; one that died holding it lets it go again
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # past this instant the email is pointless (a reminder of a drill that has begun)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")

    # read only: its time zone shows the instant (API.md: date-times in the unit's zone)
    unit = relationship("Unit", viewonly=True)

    @property
    def channels(self) -> list[str]:
        return (["in_app"] if self.user_id else []) + (["email"] if self.email else [])
