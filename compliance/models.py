from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from anbao.extensions import UTCDateTime, db, utcnow


class RuleSetting(db.Model):
    """An admin's change of a rule's interval (months); rules without a row use the default."""

    __tablename__ = "rule_settings"

    rule: Mapped[str] = mapped_column(sa.String(24), primary_key=True)
    months: Mapped[int] = mapped_column()
    updated_by: Mapped[str] = mapped_column(sa.String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
