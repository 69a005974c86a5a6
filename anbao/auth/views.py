"""Log in and out in the browser."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from anbao.auth import service
from anbao.extensions import db, limiter

bp = Blueprint("auth_views", __name__)


def _safe_next(target: str | None) -> str:
    parts = urlsplit(target or "")
    if not target or parts.scheme or parts.netloc or not target.startswith("/"):
        return url_for("web.home")
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("60 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    error, status = None, 200
    if request.method == "POST":
        username = request.form.get("username", "")[:64]
        try:
            user = service.authenticate(username, request.form.get("password", "")[:1024])
        except service.Throttled as locked:
            user, status = None, 429
            error = _("Too many failed attempts. Try again in %(minutes)s minutes.",
                      minutes=max(1, locked.retry_after // 60))
        db.session.commit()
        if user is not None:
            login_user(user)
            flash(_("Welcome, %(name)s.", name=user.display_name or user.username), "success")
            return redirect(_safe_next(request.args.get("next")))
        if status == 200:
            error, status = _("Invalid username or password."), 401
    return render_template("auth/login.html", error=error), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth_views.login"))
