"""The notifications page: the caller's reminders and notices, newest first, with the bell
and its unread count in the navigation bar of every page."""
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from anbao import scope
from anbao.extensions import db
from anbao.forms import paginate, query_choice
from anbao.outbox import service
from anbao.outbox.models import Notification
from anbao.web import current_locale, safe_path

bp = Blueprint("outbox_views", __name__)

# Each kind's words, icon and tone (info, warn, bad: the colour of its badge and icon)
KINDS = {
    "reminder_7d": (_l("Reminder: in 7 days"), "bi-calendar-event", "info"),
    "reminder_1d": (_l("Reminder: tomorrow"), "bi-alarm", "warn"),
    "obligation_due_soon": (_l("Obligation due soon"), "bi-hourglass-split", "warn"),
    "obligation_overdue": (_l("Obligation overdue"), "bi-exclamation-octagon", "bad"),
    "hazard_due_soon": (_l("Hazard due soon"), "bi-clipboard-check", "warn"),
    "hazard_overdue": (_l("Hazard overdue"), "bi-clipboard-x", "bad"),
    "equipment_alert": (_l("Equipment"), "bi-box-seam", "warn"),
    "compliance_digest": (_l("Compliance digest"), "bi-shield-exclamation", "bad"),
    "report_submitted": (_l("Report submitted"), "bi-file-earmark-arrow-up", "info"),
    "report_reviewed": (_l("Report reviewed"), "bi-file-earmark-check", "info"),
}
OTHER_KIND = (_l("Notice"), "bi-bell", "info")
UNREAD = "_anbao_unread_notifications"


def kind_of(kind: str) -> dict:
    label, icon, tone = KINDS.get(kind, OTHER_KIND)
    return {"label": label, "icon": icon, "tone": tone}


def _zone(note: Notification) -> ZoneInfo:
    name = note.unit.timezone if note.unit is not None else current_app.config["TIMEZONE"]
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo(current_app.config["TIMEZONE"])


def text_of(note: Notification) -> tuple[str, str]:
    """(subject, body) in the page's language when the message has that version."""
    if note.language != current_locale() and note.other_subject:
        return note.other_subject, note.other_body
    return note.subject, note.body


def _unread() -> int | None:
    """The caller's unread count, one statement per request however often it is asked."""
    if not current_user.is_authenticated:
        return None
    # kept on the request, not on `g`: an app context may outlive a request (tests, CLI)
    if not hasattr(request, UNREAD):
        try:
            count = service.unread_count(current_user)
        except SQLAlchemyError:  # an error page after a failed statement: no bell count
            db.session.rollback()
            count = None
        setattr(request, UNREAD, count)
    return getattr(request, UNREAD)


@bp.app_context_processor
def notification_helpers() -> dict:
    return {"unread_notifications": _unread}


def _back() -> str:
    """Where a form on the list sends the user back to: the list as it was shown."""
    return safe_path(request.form.get("back")) or url_for("outbox_views.notifications")


@bp.route("/notifications")
@login_required
def notifications():
    unread = request.args.get("unread") in ("true", "1", "on")
    kind = query_choice("kind", KINDS)
    stmt = service.notifications_query(current_user, unread=unread) \
        .options(selectinload(Notification.unit))
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    page = paginate(stmt)
    count = _unread()
    return render_template(
        "outbox/list.html", page=page, unread=unread, unread_total=count, kind=kind,
        kind_options=[(value, words) for value, (words, _icon, _tone) in KINDS.items()],
        kind_of=kind_of, text_of=text_of, note_zone=_zone,
        openable=lambda note: safe_path(note.link) is not None,
        here=request.full_path.rstrip("?"))


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
@login_required
def open_notification(notification_id: int):
    note = scope.get_or_404(Notification, notification_id, current_user)
    service.mark_read(current_user, note)
    db.session.commit()
    target = safe_path(note.link)
    if target is None:
        flash(_("This notification has no page to open; it is marked read."), "warning")
        return redirect(_back())
    return redirect(target)


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def read_notification(notification_id: int):
    note = scope.get_or_404(Notification, notification_id, current_user)
    service.mark_read(current_user, note)
    db.session.commit()
    flash(_("Notification marked read."), "success")
    return redirect(_back())


@bp.route("/notifications/read", methods=["POST"])
@login_required
def read_all():
    marked = service.mark_all_read(current_user)
    db.session.commit()
    if marked:
        flash(_("All notifications marked read (%(num)s).", num=marked), "success")
    else:
        flash(_("There were no unread notifications."), "info")
    return redirect(url_for("outbox_views.notifications"))
