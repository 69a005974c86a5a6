"""The one place that decides what a user may see and do.

Every query of a unit's records goes through `scoped()` or `get_or_404()`; every change is
first allowed by `authorize()`. Out of scope answers 404 so ids leak nothing; in scope but
not allowed answers 403 (DESIGN.md §1).
"""
import sqlalchemy as sa
from flask_smorest import abort

from anbao.extensions import db
from anbao.i18n import gettext
from anbao.schemas import MAX_ID
from units.models import Jurisdiction, Unit

PERMISSIONS: dict[str, frozenset[str]] = {}


def allow(action: str, *roles: str) -> None:
    """Declare which roles may perform an action on records in their scope."""
    PERMISSIONS[action] = frozenset(roles)


def may(user, action: str) -> bool:
    return user.role in PERMISSIONS[action]


def forbid() -> None:
    """In scope but not allowed: 403."""
    abort(403, message=gettext("Your role may not do this."))


def authorize(user, action: str) -> None:
    if not may(user, action):
        forbid()


def _subtree(user) -> sa.Select:
    root = sa.select(Jurisdiction.path).where(Jurisdiction.id == user.jurisdiction_id)
    return sa.select(Jurisdiction.id).where(
        Jurisdiction.path.startswith(root.scalar_subquery(), autoescape=False))


def jurisdiction_condition(user) -> sa.ColumnElement[bool]:
    """Jurisdictions the user oversees: its node and every node below it."""
    if user.role == "admin":
        return sa.true()
    if user.role in ("police", "supervisor") and user.jurisdiction_id:
        return Jurisdiction.id.in_(_subtree(user))
    return sa.false()


def unit_condition(user) -> sa.ColumnElement[bool]:
    """Units the user may see."""
    if user.role == "admin":
        return sa.true()
    if user.role == "police" and user.jurisdiction_id:
        return Unit.jurisdiction_id.in_(_subtree(user))
    if user.role == "supervisor" and user.jurisdiction_id:
        return sa.and_(Unit.jurisdiction_id.in_(_subtree(user)),
                       Unit.category.in_(user.sectors or []))
    if user.role in ("coordinator", "staff") and user.unit_id:
        return Unit.id == user.unit_id
    return sa.false()


def scoped(stmt: sa.Select, model, user) -> sa.Select:
    """Restrict a select of `model` (Unit, Jurisdiction, anything with `unit_id` or, when it
    says so, `jurisdiction_id`, or a user's own records) to scope."""
    if getattr(model, "owned_by_user", False):
        return stmt.where(model.user_id == user.id)  # an admin's too: nobody reads another's
    if user.role == "admin":
        return stmt
    if model is Unit:
        return stmt.where(unit_condition(user))
    if model is Jurisdiction:
        return stmt.where(jurisdiction_condition(user))
    if getattr(model, "scoped_by_jurisdiction", False):
        return stmt.where(model.jurisdiction_id.in_(
            sa.select(Jurisdiction.id).where(jurisdiction_condition(user))))
    return stmt.where(model.unit_id.in_(sa.select(Unit.id).where(unit_condition(user))))


def get_or_404(model, ident, user):
    """The record with that id if the user may see it, else 404."""
    if not isinstance(ident, int) or not 0 < ident <= MAX_ID:
        abort(404)
    obj = db.session.scalar(scoped(sa.select(model).where(model.id == ident), model, user))
    if obj is None:
        abort(404)
    return obj


def in_scope(model, ident, user) -> bool:
    """Whether an id given in a request body names a record in scope (else 422 on it)."""
    if ident is None:
        return True
    stmt = scoped(sa.select(model.id).where(model.id == ident), model, user)
    return db.session.scalar(stmt) is not None
