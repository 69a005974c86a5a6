"""Accounts, roles, passwords, bearer tokens and browser sessions."""
from flask import g, redirect, request, url_for
from flask_smorest import abort


def init_login(login_manager) -> None:
    from anbao.auth import service
    from anbao.auth.models import User
    from anbao.extensions import db
    from anbao.i18n import gettext

    @login_manager.user_loader
    def load_session_user(user_id: str):
        if request.headers.get("Authorization", "").startswith("Bearer "):
            # a bearer token decides alone: a session riding along with a bad token must not
            # authenticate a write that, being a bearer request, skips the CSRF check
            return None
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.is_active else None

    @login_manager.request_loader
    def load_token_user(req):
        header = req.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        found = service.user_for_token(header[7:].strip())
        if found is None:
            return None
        g.api_token = found[1]
        return found[0]

    @login_manager.unauthorized_handler
    def unauthorized():
        from anbao.errors import wants_json
        if wants_json():
            abort(401, message=gettext(
                "Authentication required: send Authorization: Bearer <token>."))
        return redirect(url_for("auth_views.login", next=request.full_path))
