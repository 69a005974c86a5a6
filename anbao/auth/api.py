"""Tokens, the current user and accounts (API.md "Authentication and accounts")."""
from flask import current_app, g
from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import abort

from anbao import api as rest
from anbao.auth import service
from anbao.auth.schemas import (MeSchema, TokenRequestSchema, TokenSchema, UserCreateSchema,
                                UserSchema, UserUpdateSchema)
from anbao.extensions import db, limiter
from anbao.i18n import gettext as _

blp = rest.blueprint("auth", __name__, "Tokens, the current user and user accounts")


@blp.route("/auth/token")
class Tokens(MethodView):
    decorators = [limiter.limit(lambda: current_app.config["AUTH_TOKEN_RATE_LIMIT"],
                                methods=["POST"])]

    @blp.arguments(TokenRequestSchema)
    @blp.response(201, TokenSchema)
    @blp.alt_response(401, description="Bad credentials")
    @blp.alt_response(429, description="Too many failures for this username")
    def post(self, data):
        """Exchange a username and password for a bearer token"""
        try:
            user = service.authenticate(data["username"], data["password"])
        except service.Throttled as locked:
            # Flask-Limiter would otherwise put the end of its own per-address window into
            # Retry-After when that is later; the client needs the end of this lock.
            limiter.context.view_rate_limit = None
            abort(429, message=_("Too many failed attempts; try again later."),
                  headers={"Retry-After": str(locked.retry_after)})
        if user is None:
            db.session.commit()
            abort(401, message=_("Invalid username or password."))
        raw, row = service.issue_token(user)
        db.session.commit()
        return {"token": raw, "expires_at": row.expires_at}

    @login_required
    @blp.response(204)
    def delete(self):
        """Revoke the token used for this request"""
        row = g.get("api_token")
        if row is None:
            abort(400, message=_("This request was not made with a bearer token."))
        service.revoke_token(row)
        db.session.commit()


@blp.route("/me")
class Me(MethodView):
    decorators = [login_required]

    @blp.response(200, MeSchema)
    def get(self):
        """The authenticated user"""
        return rest.with_etag(MeSchema(), current_user)


@blp.route("/users")
class Users(MethodView):
    decorators = [login_required]

    @blp.response(200, UserSchema(many=True))
    @rest.paginate(blp)
    def get(self):
        """Users: all for an admin, the unit's for a coordinator"""
        return service.users_query(current_user)

    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    @rest.write
    def post(self, data):
        """Create a user account"""
        return rest.with_etag(UserSchema(), service.create_user(current_user, data), 201)


@blp.route("/users/<int:user_id>")
class UserItem(MethodView):
    decorators = [login_required]

    @blp.response(200, UserSchema)
    def get(self, user_id):
        """One user account"""
        return rest.with_etag(UserSchema(), service.get_user(current_user, user_id))

    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    @rest.write
    def patch(self, data, user_id):
        """Change an account: name, email, password, language, disable or enable"""
        user = service.get_user(current_user, user_id)
        rest.check_if_match(UserSchema(), user)
        changed = service.update_user(current_user, user, data, keep_token=g.get("api_token"))
        return rest.with_etag(UserSchema(), changed)

