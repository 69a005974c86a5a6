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


class UnitState(db.Model):
    """A unit's status at the last sweep and since when: a change to non-compliant is what
    the police's daily digest tells."""

    __tablename__ = "unit_compliance_states"

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(16))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
