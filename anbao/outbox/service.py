"""The outbox: every message is a row with a unique key, written in the transaction of the
decision to send it; email leaves from here (`deliver`)."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale

from anbao import scope
from anbao.extensions import db, dialect_insert, utcnow
from anbao.outbox.models import Notification

LANGUAGES = ("zh_CN", "en")


@dataclass(frozen=True)
class Recipient:
    """Who a message goes to: an account (in-app, and email when it has an address) or a
    bare address. `ref` stands for them in the message's key."""

    ref: str
    user_id: int | None
    email: str | None
    language: str


def of_user(user, email: str | None = None) -> Recipient:
    language = user.language if user.language in LANGUAGES else LANGUAGES[0]
    return Recipient(f"u{user.id}", user.id, user.email or email or None, language)


def of_address(ref: str, email: str) -> Recipient:
    return Recipient(ref, None, email, LANGUAGES[0])


def link(endpoint: str, **values) -> str:
    """The path of a page, for a message: also outside a request (the scheduler, the CLI)."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, **values)


def render(kind: str, language: str, **context) -> tuple[str, str]:
    """(subject, body) of `templates/outbox/<kind>.txt` in the language: its first line is
    the subject, the rest the body."""
    with force_locale(language):
        text = render_template(f"outbox/{kind}.txt", base_url=current_app.config["BASE_URL"],
                               **context)
    subject, _sep, body = text.strip().partition("\n")
    return subject.strip(), body.strip()


def key_of(recipient: Recipient, kind: str, about: str, period: str) -> str:
    return f"{recipient.ref}|{kind}|{about}|{period}"[:255]


class Queue:
    """The messages a job decides on, written by `send()` after one query for the keys
    already there: a job that finds nothing new renders and writes nothing (it runs every
    minute)."""

    def __init__(self, now: datetime):
        self.now = now
        self.items: list[tuple[str, tuple, dict]] = []

    def add(self, recipient: Recipient, kind: str, about: str, period: str, **options):
        self.items.append((key_of(recipient, kind, about, period),
                           (recipient, kind, about, period), options))

    def send(self) -> int:
        keys = [key for key, _args, _options in self.items]
        known = set()
        for first in range(0, len(keys), 500):
            known.update(db.session.scalars(sa.select(Notification.key).where(
                Notification.key.in_(keys[first:first + 500]))))
        queued = 0
        for key, args, options in self.items:
            if key not in known:
                known.add(key)
                queued += notify(*args, now=self.now, **options)
        self.items = []
        return queued


def notify(recipient: Recipient, kind: str, about: str, period: str, *, now: datetime,
           unit_id: int | None = None, link: str = "", expires_at: datetime | None = None,
           **context) -> bool:
    """Queue the message unless one with the same key (recipient, kind, what it is about,
    occurrence or period) exists: True when this call queued it. One statement, so two
    processes deciding at once queue it once."""
    key = key_of(recipient, kind, about, period)
    first = recipient.language
    other = LANGUAGES[1] if first == LANGUAGES[0] else LANGUAGES[0]
    title, body = render(kind, first, link=link, **context)
    other_title, other_body = render(kind, other, link=link, **context)
    values = dict(key=key, user_id=recipient.user_id, unit_id=unit_id,
                  email=recipient.email, language=first, kind=kind, subject=title[:300],
                  body=body, other_subject=other_title[:300], other_body=other_body,
                  link=link, created_at=now, expires_at=expires_at,
                  email_status="pending" if recipient.email else "none",
                  next_attempt_at=now if recipient.email else None)
    statement = dialect_insert(Notification.__table__).values(**values)
    # the row back, not `rowcount`: with the RETURNING SQLAlchemy adds for the primary key,
    # PostgreSQL's driver reports a rowcount of -1
    result = db.session.execute(statement.on_conflict_do_nothing(index_elements=["key"])
                                .returning(Notification.__table__.c.id))
    return result.first() is not None


# Reading

def notifications_query(actor, unread: bool = False) -> sa.Select:
    stmt = sa.select(Notification).order_by(Notification.id.desc())
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    return scope.scoped(stmt, Notification, actor)


def unread_count(actor) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(
        notifications_query(actor, unread=True).subquery()))


def mark_read(actor, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification


def mark_all_read(actor) -> int:
    result = db.session.execute(
        sa.update(Notification).where(Notification.user_id == actor.id,
                                      Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount


def coordinators(unit_ids) -> dict[int, list[Recipient]]:
    """The active coordinators of each unit, in one query."""
    from anbao.auth.models import User
    found: dict[int, list[Recipient]] = {}
    for user in db.session.scalars(sa.select(User).where(
            User.role == "coordinator", User.active.is_(True),
            User.unit_id.in_(list(unit_ids))).order_by(User.id)):
        found.setdefault(user.unit_id, []).append(of_user(user))
    return found
