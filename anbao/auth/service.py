"""Accounts: password checks with per-username throttling, bearer tokens, user creation."""
import hashlib
import math
import secrets
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_smorest import abort

from anbao import scope
from anbao.audit import service as audit
from anbao.auth.models import ApiToken, LoginFailure, User
from anbao.extensions import db, utcnow
from anbao.i18n import gettext as _
from anbao.schemas import storable
from units.models import Jurisdiction, Person, Unit

USER_FIELDS = ("username", "role", "display_name", "email", "unit_id", "jurisdiction_id",
               "sectors", "person_id", "language", "active")

scope.allow("users.create", "admin", "coordinator")
scope.allow("users.read", "admin", "coordinator")
scope.allow("users.update", "admin", "coordinator")


def _hasher() -> PasswordHasher:
    return PasswordHasher(**current_app.config["ARGON2"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError, UnicodeError):
        return False


class Throttled(Exception):
    def __init__(self, retry_after: int):
        self.retry_after = retry_after


def _retry_after(username: str, now: datetime) -> int | None:
    limit = current_app.config["LOGIN_FAILURE_LIMIT"]
    window = current_app.config["LOGIN_FAILURE_WINDOW"]
    recent = db.session.scalars(
        sa.select(LoginFailure.at).where(LoginFailure.username == username,
                                         LoginFailure.at > now - window)
        .order_by(LoginFailure.at.desc()).limit(limit)).all()
    if len(recent) < limit:
        return None
    return max(1, math.ceil((recent[-1] + window - now).total_seconds()))


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None; raises Throttled while locked out.

    Failures are recorded per username (existing or not) and committed by the caller.
    """
    key = username.strip().lower()
    if not storable(key):
        # no account can have such a name, and the database could not even compare it
        _verify(_dummy_hash(), password)
        return None
    now = utcnow()
    if (wait := _retry_after(key, now)) is not None:
        raise Throttled(wait)
    user = db.session.scalar(sa.select(User).where(User.username == username.strip()))
    if user is None:
        _verify(_dummy_hash(), password)  # the same work whether or not the user exists
    elif user.is_active and _verify(user.password_hash, password):
        db.session.execute(sa.delete(LoginFailure).where(LoginFailure.username == key))
        return user
    db.session.add(LoginFailure(username=key, at=now))
    db.session.flush()
    return None


_DUMMY: dict[str, str] = {}


def _dummy_hash() -> str:
    params = repr(current_app.config["ARGON2"])
    if params not in _DUMMY:
        _DUMMY[params] = hash_password(secrets.token_hex(8))
    return _DUMMY[params]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> tuple[str, ApiToken]:
    """A new random bearer token; only its hash is stored."""
    raw = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=_digest(raw),
                   expires_at=utcnow() + current_app.config["TOKEN_TTL"])
    db.session.add(row)
    db.session.flush()
    return raw, row


def user_for_token(raw: str) -> tuple[User, ApiToken] | None:
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _digest(raw)))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    if not row.user.is_active:
        return None
    return row.user, row


def revoke_token(row: ApiToken) -> None:
    row.revoked_at = utcnow()
    db.session.flush()


def users_query(actor) -> sa.Select:
    scope.authorize(actor, "users.read")
    return scope.scoped(sa.select(User).order_by(User.id), User, actor)


def create_user(actor, data: dict) -> User:
    """Create an account; a coordinator may create `staff` of its own unit only."""
    scope.authorize(actor, "users.create")
    role = data["role"]
    if actor.role == "coordinator":
        if role != "staff" or data.get("unit_id") not in (None, actor.unit_id):
            abort(403, message=_("A coordinator may only create staff accounts of its own unit."))
        data = {**data, "unit_id": actor.unit_id}
    errors = {}
    if role in ("coordinator", "staff"):
        if not data.get("unit_id"):
            errors["unit_id"] = [_("Required for this role.")]
        elif not scope.in_scope(Unit, data["unit_id"], actor):
            if actor.role == "admin":  # every unit is in an admin's scope: this one is not a unit
                errors["unit_id"] = ["No such unit."]
            else:
                abort(403, message=_("That unit is not yours to add users to."))
    if role in ("police", "supervisor"):
        if not data.get("jurisdiction_id"):
            errors["jurisdiction_id"] = [_("Required for this role.")]
        elif db.session.get(Jurisdiction, data["jurisdiction_id"]) is None:
            errors["jurisdiction_id"] = [_("No such jurisdiction.")]
    if role == "supervisor" and not data.get("sectors"):
        errors["sectors"] = [_("A supervisor needs at least one sector.")]
    if not _person_of(data.get("person_id"), data.get("unit_id")):
        errors["person_id"] = [_("Not a person of this unit.")]
    if errors:
        abort(422, errors={"json": errors})
    if db.session.scalar(sa.select(User.id).where(User.username == data["username"])):
        abort(409, message=_("That username is taken."))
    user = User(username=data["username"], password_hash=hash_password(data["password"]),
                role=role, display_name=data.get("display_name") or "",
                email=data.get("email"),
                unit_id=data.get("unit_id") if role in ("coordinator", "staff") else None,
                jurisdiction_id=(data.get("jurisdiction_id")
                                 if role in ("police", "supervisor") else None),
                sectors=(data.get("sectors") or []) if role == "supervisor" else [],
                person_id=data.get("person_id"))
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "create", "user", user.id, after=audit.snapshot(user, USER_FIELDS),
                 unit_id=user.unit_id, jurisdiction_id=user.jurisdiction_id)
    return user


def get_user(actor, user_id: int) -> User:
    """An account the actor manages, or its own."""
    if user_id == getattr(actor, "id", None):
        return db.session.get(User, user_id)
    scope.authorize(actor, "users.read")
    return scope.get_or_404(User, user_id, actor)


def _person_of(person_id: int | None, unit_id: int | None) -> bool:
    """Whether an account may be linked to that person (none, or one of its unit)."""
    if person_id is None:
        return True
    person = db.session.get(Person, person_id)
    return person is not None and person.unit_id == unit_id


def update_user(actor, user: User, data: dict, keep_token: ApiToken | None = None) -> User:
    """Change an account; a coordinator only the staff accounts of its unit. Disabling an
    account or giving it a new password ends its tokens at once, except `keep_token`: the
    one a user changing its own password is using."""
    if user.id != actor.id:
        scope.authorize(actor, "users.update")
        if actor.role == "coordinator" and user.role != "staff":
            abort(403, message=_("A coordinator may only change staff accounts of its own "
                                 "unit."))
    elif actor.role != "admin" and "person_id" in data:
        abort(403, message=_("Only an administrator may change this."))
    if data.get("active") is False and user.id == actor.id:
        abort(422, errors={"json": {"active": [_("You cannot disable your own account.")]}})
    if "person_id" in data and not _person_of(data["person_id"], user.unit_id):
        abort(422, errors={"json": {"person_id": [_("Not a person of this unit.")]}})
    before = audit.snapshot(user, USER_FIELDS)
    for field in ("display_name", "email", "active", "language", "person_id"):
        if field in data:
            setattr(user, field, data[field] if field != "display_name" else data[field] or "")
    if data.get("password"):
        user.password_hash = hash_password(data["password"])
    if user.active is False or data.get("password"):
        keep = keep_token.id if keep_token is not None and keep_token.user_id == user.id else -1
        db.session.execute(sa.update(ApiToken).where(ApiToken.user_id == user.id,
                                                     ApiToken.revoked_at.is_(None),
                                                     ApiToken.id != keep)
                           .values(revoked_at=utcnow()))
    db.session.flush()
    audit.record(actor, "update", "user", user.id, before=before,
                 after=audit.snapshot(user, USER_FIELDS), unit_id=user.unit_id,
                 jurisdiction_id=user.jurisdiction_id,
                 detail={"password_changed": True} if data.get("password") else None)
    return user


def set_language(user: User, language: str) -> None:
    before = audit.snapshot(user, ("language",))
    user.language = language
    db.session.flush()
    audit.record(user, "update", "user", user.id, before=before,
                 after=audit.snapshot(user, ("language",)), unit_id=user.unit_id)
