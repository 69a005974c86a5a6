"""Log in and out in the browser; the account pages."""

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.orm import selectinload

from anbao import api as rest
from anbao import scope
from anbao.auth import service
from anbao.auth.models import ROLES, User
from anbao.auth.schemas import UserCreateSchema, UserSchema, UserUpdateSchema
from anbao.extensions import db, limiter
from anbao.forms import (OMIT, Errors, FormState, compact, flash_errors, form_bool, form_int,
                         form_text, load_form, paginate, query_choice, query_id, query_text,
                         submit)
from anbao.web import ROLE_LABELS, safe_path
from units import service as units
from units.labels import CATEGORY_LABELS
from units.models import Person, Unit
from units.views import jurisdiction_options, tree

bp = Blueprint("auth_views", __name__)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["AUTH_TOKEN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    error, status, headers = None, 200, {}
    if request.method == "POST":
        username = request.form.get("username", "")[:64]
        try:
            user = service.authenticate(username, request.form.get("password", "")[:1024])
        except service.Throttled as locked:
            user, status = None, 429
            error = _("Too many failed attempts. Try again in %(minutes)s minutes.",
                      minutes=-(-locked.retry_after // 60))
            headers["Retry-After"] = str(locked.retry_after)
            limiter.context.view_rate_limit = None  # the lock's end, not the limiter's window
        db.session.commit()
        if user is not None:
            login_user(user)
            flash(_("Welcome, %(name)s.", name=user.display_name or user.username), "success")
            return redirect(safe_path(request.args.get("next")) or url_for("web.home"))
        if status == 200:
            error, status = _("Invalid username or password."), 401
    return render_template("auth/login.html", error=error), status, headers


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth_views.login"))


# Accounts

def _user_data(form) -> dict:
    """The create form as the JSON body of POST /users."""
    data = {
        "username": form_text(form, "username", blank=OMIT),
        "password": form.get("password") or OMIT,
        "display_name": form_text(form, "display_name", blank=OMIT),
        "email": form_text(form, "email", blank=None),
        "person_id": form_int(form, "person_id", blank=None),
    }
    if current_user.role == "admin":
        data.update({
            "role": form_text(form, "role", blank=OMIT),
            "unit_id": form_int(form, "unit_id", blank=None),
            "jurisdiction_id": form_int(form, "jurisdiction_id", blank=None),
            "sectors": form.getlist("sectors") or None,
        })
    else:
        data.update({"role": "staff", "unit_id": current_user.unit_id})
    return compact(data)


def _people_without_account() -> list[Person]:
    """People of the coordinator's unit who could be linked to a new account."""
    if not current_user.unit_id:
        return []
    unit = db.session.get(Unit, current_user.unit_id)
    linked = sa.select(User.person_id).where(User.person_id.is_not(None))
    return db.session.scalars(units.people_query(current_user, unit)
                              .where(Person.id.not_in(linked))).all()


ACTIVE_VALUES = {"true": True, "false": False}


def _user_filters() -> dict:
    """The account list's GET filters; values that are not a choice are ignored."""
    return compact({
        "role": query_choice("role", ROLES) or OMIT,
        "unit_id": (None if current_user.unit_id else query_id("unit_id")) or OMIT,
        "active": ACTIVE_VALUES.get(request.args.get("active"), OMIT),
        "q": query_text("q") or OMIT,
    })


@bp.route("/users")
@login_required
def users():
    filters = _user_filters()
    stmt = service.users_query(current_user).options(
        selectinload(User.unit), selectinload(User.jurisdiction),
        selectinload(User.person).selectinload(Person.unit))
    if "role" in filters:
        stmt = stmt.where(User.role == filters["role"])
    if "unit_id" in filters:  # the query is scoped: a unit out of scope lists nobody
        stmt = stmt.where(User.unit_id == filters["unit_id"])
    if "active" in filters:
        stmt = stmt.where(User.active.is_(filters["active"]))
    if "q" in filters:
        stmt = stmt.where(sa.or_(User.username.icontains(filters["q"], autoescape=True),
                                 User.display_name.icontains(filters["q"], autoescape=True)))
    page = paginate(stmt)
    people = dict(db.session.execute(sa.select(Person.id, Person.name).where(
        Person.id.in_([u.person_id for u in page.items if u.person_id]))).all()) \
        if page.items else {}
    unit = db.session.get(Unit, current_user.unit_id) if current_user.unit_id else None
    unit_options = [] if unit else [(u.id, u.name) for u in db.session.execute(
        units.units_query(current_user, {}).with_only_columns(Unit.id, Unit.name)
        .order_by(None).order_by(Unit.name))]
    return render_template("auth/users.html", page=page, people=people, unit=unit,
                           filters=filters, filtered=bool(filters), unit_options=unit_options,
                           role_options=[(r, ROLE_LABELS[r]) for r in ROLES],
                           may_create=scope.may(current_user, "users.create"),
                           may_update=scope.may(current_user, "users.update"))


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def user_new():
    scope.authorize(current_user, "users.create")
    state = FormState({"role": "staff" if current_user.role != "admin" else "police"})
    if request.method == "POST":
        data, errors = load_form(UserCreateSchema(), _user_data(request.form))
        if not errors:
            user, errors = submit(service.create_user, current_user, data)
            if not errors:
                flash(_("Account “%(username)s” created.", username=user.username), "success")
                return redirect(url_for("auth_views.users"))
        values = request.form.copy()
        values.pop("password", None)
        state = FormState(values, errors)
    admin = current_user.role == "admin"
    return render_template(
        "auth/user_form.html", form=state, admin=admin,
        role_options=[(r, ROLE_LABELS[r]) for r in ROLES],
        sector_options=list(CATEGORY_LABELS.items()),
        unit_options=[(u.id, u.name) for u in db.session.scalars(
            units.units_query(current_user, {}))] if admin else [],
        jurisdiction_options=jurisdiction_options(tree(db.session.scalars(
            units.jurisdictions_query(current_user)).all())) if admin else [],
        person_options=[(p.id, p.name) for p in _people_without_account()],
        unit=db.session.get(Unit, current_user.unit_id) if current_user.unit_id else None), \
        state.status


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
def user_edit(user_id: int):
    user = service.get_user(current_user, user_id)
    own = user.id == current_user.id
    if not own:
        scope.authorize(current_user, "users.update")
    current = rest.etag_of(UserSchema().dump(user))
    state = FormState({"display_name": user.display_name, "email": user.email,
                       "active": user.active, "person_id": user.person_id})
    if request.method == "POST":
        data = compact({"display_name": form_text(request.form, "display_name", blank=""),
                        "email": form_text(request.form, "email", blank=None),
                        "password": request.form.get("password") or OMIT,
                        "active": OMIT if own else form_bool(request.form, "active"),
                        "person_id": (form_int(request.form, "person_id", blank=None)
                                      if user.unit_id and not own else OMIT)})
        data, errors = load_form(UserUpdateSchema(), data)
        if not errors and request.form.get("etag") != current:
            errors = Errors({"_form": [_("Someone else changed this account meanwhile; "
                                         "reload and try again.")]}, 409)
        if not errors:
            saved, errors = submit(service.update_user, current_user, user, data)
            if not errors:
                flash(_("Account “%(username)s” saved.", username=saved.username), "success")
                return redirect(url_for("auth_views.users") if scope.may(current_user, "users.read")
                                else url_for("web.home"))
        values = request.form.copy()
        values.pop("password", None)
        state = FormState(values, errors)
    people = None
    if user.unit_id and not own:
        unit = db.session.get(Unit, user.unit_id)
        people = [(p.id, p.name)
                  for p in db.session.scalars(units.people_query(current_user, unit))]
    return render_template("auth/user_edit.html", user=user, form=state, etag=current,
                           person_options=people, own=own), state.status


@bp.route("/users/<int:user_id>/disable", methods=["POST"])
@login_required
def user_disable(user_id: int):
    """Disable an account: it can no longer log in and its API tokens stop working."""
    return _set_active(user_id, False)


@bp.route("/users/<int:user_id>/enable", methods=["POST"])
@login_required
def user_enable(user_id: int):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    user = service.get_user(current_user, user_id)
    scope.authorize(current_user, "users.update")
    data, errors = load_form(UserUpdateSchema(), {"active": active})
    if not errors:
        saved, errors = submit(service.update_user, current_user, user, data)
        if not errors:
            flash(_("Account “%(username)s” disabled.", username=saved.username) if not active
                  else _("Account “%(username)s” enabled.", username=saved.username), "success")
            return redirect(url_for("auth_views.users"))
    if errors.status == 422 and "_form" not in errors:  # other errors are flashed already
        flash_errors(errors)
    return redirect(url_for("auth_views.user_edit", user_id=user_id))
