"""Email from the outbox through ANBAO_SMTP_URL.

`smtp://[user:password@]host[:port]` plain SMTP, `smtp+starttls://…` upgraded with STARTTLS,
`smtps://…` TLS from the start; `?from=address` sets the sender. A message is claimed for
LEASE before it is sent and marked sent after: a sender that dies in between lets the lease
run out and the message goes again, with the same Message-ID (derived from its key), so the
receiving side can tell it is the same message. Nothing chosen is ever lost."""
import hashlib
import logging
import smtplib
import ssl
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, format_datetime
from urllib.parse import parse_qs, unquote, urlsplit

import sqlalchemy as sa
from flask import current_app

from anbao.extensions import db, utcnow
from anbao.outbox.models import Notification

log = logging.getLogger("anbao.outbox")

LEASE = timedelta(minutes=5)
BATCH = 200
# waits after the 1st, 2nd, … failed attempt; the last repeats for as long as SMTP fails
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15),
           timedelta(hours=1), timedelta(hours=3))
TIMEOUT = 30


class Settings:
    def __init__(self, url: str, base_url: str):
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtp+starttls", "smtps"):
            raise ValueError(f"ANBAO_SMTP_URL: unknown scheme {parts.scheme!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if parts.scheme == "smtps" else
                                   587 if parts.scheme == "smtp+starttls" else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        query = parse_qs(parts.query)
        self.domain = urlsplit(base_url).hostname or "anbao.localhost"
        self.sender = query.get("from", [f"noreply@{self.domain}"])[0]
        self.verify = query.get("verify", ["true"])[0].lower() not in ("false", "0", "no")

    def connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if not self.verify:  # an internal relay with its own certificate
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        if self.scheme == "smtps":
            server = smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT, context=context)
        else:
            server = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT)
        try:
            if self.scheme == "smtp+starttls":
                server.starttls(context=context)
            if self.username:
                server.login(self.username, self.password or "")
        except BaseException:
            server.close()  # a refused certificate or login: not left open to the collector
            raise
        return server


def message_id(key: str, domain: str) -> str:
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def compose(note: Notification, settings: Settings) -> EmailMessage:
    """The recipient's language first, then the other one, in one plain-text message."""
    message = EmailMessage()
    message["Subject"] = note.subject
    message["From"] = formataddr(("Anbao 安保", settings.sender))
    message["To"] = note.email
    message["Message-ID"] = message_id(note.key, settings.domain)
    message["Date"] = format_datetime(note.created_at)
    message["Auto-Submitted"] = "auto-generated"
    link = f"\n\n{current_app.config['BASE_URL']}{note.link}" if note.link else ""
    text = f"{note.body}{link}"
    if note.other_body:
        text += f"\n\n----\n{note.other_subject}\n\n{note.other_body}{link}"
    message.set_content(text + "\n", charset="utf-8")
    return message


def _clock(now: datetime) -> datetime:
    """The time a lease is measured by: the real clock, or `now` when a tick is run as of a
    later instant (catch-up, tests). A job that started long ago never hands out a lease
    that has already run out."""
    return max(now, utcnow())


def _claim(note_id: int, now: datetime) -> bool:
    """Take the message for LEASE if no live sender holds it; commits, so others see it."""
    clock = _clock(now)
    claimed = db.session.execute(
        sa.update(Notification)
        .where(Notification.id == note_id, Notification.email_status == "pending",
               sa.or_(Notification.claimed_until.is_(None),
                      Notification.claimed_until < clock))
        .values(claimed_until=clock + LEASE, attempts=Notification.attempts + 1)
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.commit()
    return claimed


def _settle(note_id: int, **values) -> None:
    db.session.execute(sa.update(Notification).where(Notification.id == note_id)
                       .values(claimed_until=None, **values)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def _permanent(err: smtplib.SMTPException) -> bool:
    """A 5xx refusal of this message will not change on a retry; a 4xx one may."""
    codes = ([code for code, _text in err.recipients.values()]
             if isinstance(err, smtplib.SMTPRecipientsRefused) else [err.smtp_code])
    return all(code >= 500 for code in codes)


# Whether a queued message still holds, by kind: a reminder of a drill since cancelled,
# moved or made unannounced is withdrawn instead of sent. Domains register their checks.
CHECKS: dict[str, Callable[[Notification], bool]] = {}


def _withdrawn(note: Notification) -> bool:
    check = CHECKS.get(note.kind)
    return check is not None and not check(note)


def deliver(now: datetime) -> int:
    """Send what is due, as of `now`; the number sent. Commits per message (the send is a
    side effect no rollback can undo)."""
    url = current_app.config.get("SMTP_URL")
    if not url:
        return 0
    settings = Settings(url, current_app.config["BASE_URL"])
    db.session.execute(
        sa.update(Notification).where(Notification.email_status == "pending",
                                      Notification.expires_at < now)
        .values(email_status="expired").execution_options(synchronize_session=False))
    clock = _clock(now)
    due = db.session.scalars(
        sa.select(Notification.id)
        .where(Notification.email_status == "pending", Notification.next_attempt_at <= now,
               sa.or_(Notification.claimed_until.is_(None),
                      Notification.claimed_until < clock))
        .order_by(Notification.id).limit(BATCH)).all()
    db.session.commit()
    sent, server = 0, None
    try:
        for note_id in due:
            if not _claim(note_id, now):
                continue  # another sender has it
            note = db.session.get(Notification, note_id)
            if _withdrawn(note):
                _settle(note_id, email_status="withdrawn")
                continue
            wait = BACKOFF[min(note.attempts, len(BACKOFF)) - 1]
            try:
                message = compose(note, settings)
            except (ValueError, TypeError) as err:  # an address no mail can carry
                _settle(note_id, email_status="failed", last_error=str(err)[:2000])
                continue
            try:
                if server is None:
                    server = settings.connect()
                server.send_message(message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError,
                    smtplib.SMTPNotSupportedError) as err:  # this message's own fate
                if isinstance(err, smtplib.SMTPNotSupportedError) or _permanent(err):
                    log.warning("notification %s refused: %s", note_id, err)
                    _settle(note_id, email_status="failed", last_error=str(err)[:2000])
                    continue
                _settle(note_id, next_attempt_at=now + wait, last_error=str(err)[:2000])
            except (OSError, smtplib.SMTPException) as err:
                # the server is away, or refuses our sender (its configuration or ours):
                # this one and the rest wait for the next run
                log.warning("notification %s not sent (attempt %s), again in %s: %s",
                            note_id, note.attempts, wait, err)
                _settle(note_id, next_attempt_at=now + wait, last_error=str(err)[:2000])
                break
            else:
                _settle(note_id, email_status="sent", sent_at=_clock(now), last_error="")
                sent += 1
    finally:
        if server is not None:
            try:
                server.quit()
            except (OSError, smtplib.SMTPException):
                pass
    return sent
