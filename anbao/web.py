"""Pages every role shares (home, language switch, API docs, health) and page helpers."""
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
import swagger_ui_bundle
from flask import (Blueprint, current_app, flash, redirect, render_template, request,
                   send_from_directory, session, url_for)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import Conflict, HTTPException

from anbao import scope
from anbao.auth import service as accounts
from anbao.extensions import db

bp = Blueprint("web", __name__)


@bp.route("/")
@login_required
def home():
    if current_user.unit_id:
        return redirect(url_for("units_views.unit", unit_id=current_user.unit_id))
    return redirect(url_for("units_views.units"))


@bp.route("/language/<code>", methods=["POST"])
def language(code: str):
    """Switch the language; remembered in the session and on the account."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated:
            accounts.set_language(current_user, code)
            db.session.commit()
    back = request.referrer or ""
    parts = urlsplit(back)
    if parts.netloc and parts.netloc != request.host:
        back = ""
    return redirect(parts.path + (f"?{parts.query}" if parts.query else "") if back
                    else url_for("web.home"))


@bp.route("/api/v1/docs")
def api_docs():
    return render_template("docs.html")


@bp.route("/api/v1/docs/assets/<path:filename>")
def api_docs_assets(filename: str):
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)


@bp.route("/healthz")
def health():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}


ROLE_LABELS = {"admin": _l("Administrator"), "police": _l("Police"),
               "supervisor": _l("Sector supervisor"), "coordinator": _l("Safety coordinator"),
               "staff": _l("Staff")}
ERROR_TEXTS = {400: _l("The request could not be understood."),
               401: _l("Please log in."),
               403: _l("Your role may not do this."),
               404: _l("There is nothing here, or it is not yours to see."),
               405: _l("This action is not available here."),
               409: _l("This conflicts with the current state; reload and try again."),
               412: _l("Someone else changed this meanwhile; reload and try again."),
               413: _l("The upload is too large."),
               415: _l("This type of file or data is not accepted."),
               422: _l("Some values are invalid."),
               429: _l("Too many attempts; wait a moment and try again.")}


# Pages that belong to a menu entry besides the entry's own page.
SECTIONS = {
    "units_views.units": {"units_views.unit_new", "units_views.unit", "units_views.unit_edit",
                          "units_views.people", "units_views.person_new",
                          "units_views.person_edit", "units_views.key_part_new",
                          "units_views.key_part_edit"},
    "units_views.unit": {"units_views.unit_edit", "units_views.key_part_new",
                         "units_views.key_part_edit"},
    "units_views.people": {"units_views.person_new", "units_views.person_edit"},
    "auth_views.users": {"auth_views.user_new"},
}


def navigation() -> list[dict]:
    """The main menu for the current user's role."""
    if not current_user.is_authenticated:
        return []
    items = []
    if current_user.unit_id:
        items.append(("units_views.unit", {"unit_id": current_user.unit_id}, _l("My unit")))
        items.append(("units_views.people", {"unit_id": current_user.unit_id}, _l("People")))
    else:
        items.append(("units_views.units", {}, _l("Units")))
        items.append(("units_views.jurisdictions", {}, _l("Jurisdictions")))
    if scope.may(current_user, "users.read"):
        items.append(("auth_views.users", {}, _l("Users")))
    return [{"url": url_for(endpoint, **args), "label": label,
             "active": request.endpoint == endpoint
             or request.endpoint in SECTIONS.get(endpoint, ())}
            for endpoint, args, label in items]


def current_locale() -> str:
    locale = get_locale()
    return "zh_CN" if locale is None or locale.language == "zh" else "en"


@bp.app_context_processor
def template_helpers():
    return {"navigation": navigation, "current_locale": current_locale,
            "role_label": lambda role: ROLE_LABELS.get(role, role),
            "error_text": lambda code: ERROR_TEXTS.get(code, "")}


# Pages share the helpers below: pagination, HTML forms loaded through the API's marshmallow
# schemas, and service calls whose aborts become messages next to the fields.

PAGE_SIZE = 50


@dataclass
class Page:
    """One page of a select, with links that keep the other query arguments."""

    items: list
    number: int
    total: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first_item(self) -> int:
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last_item(self) -> int:
        return min(self.total, self.number * self.size)

    def url(self, number: int) -> str:
        view_args = request.view_args or {}
        # url_for reads _anchor, _external ... itself: never take those from the query
        args = {k: v for k, v in request.args.lists()
                if not k.startswith("_") and k not in view_args and k != "page"}
        return url_for(request.endpoint, **view_args, **args, page=number)

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers to link, None where a run of them is left out."""
        shown = sorted({1, self.pages, *range(max(1, self.number - around),
                                              min(self.pages, self.number + around) + 1)})
        result: list[int | None] = []
        for n in shown:
            if result and n - result[-1] > 1:
                result.append(None)
            result.append(n)
        return result


def paginate(stmt: sa.Select, size: int = PAGE_SIZE) -> Page:
    """The page of `stmt` named by the `page` query argument (from 1)."""
    number = request.args.get("page", 1, type=int)
    number = number if 0 < number < 10**6 else 1
    total = db.session.scalar(sa.select(sa.func.count()).select_from(
        stmt.order_by(None).subquery()))
    items = db.session.scalars(stmt.limit(size).offset((number - 1) * size)).all()
    return Page(list(items), number, total, size)


# Messages of the schemas and services are English; these are their translations.
MESSAGES = {
    "Missing data for required field.": _l("This field is required."),
    "Field may not be null.": _l("This field is required."),
    "Invalid value.": _l("Invalid value."),
    "Not a valid integer.": _l("Enter a whole number."),
    "Not a valid date.": _l("Enter a date (YYYY-MM-DD)."),
    "Not a valid email address.": _l("Enter a valid email address."),
    "Not a valid boolean.": _l("Choose yes or no."),
    "Not a valid string.": _l("Enter text."),
    "Unknown field.": _l("This field is not accepted here."),
    "Unknown time zone.": _l("Unknown time zone."),
    "Letters, digits and . _ - only.": _l("Letters, digits and . _ - only."),
    "Letters, digits and . @ + - _ only.": _l("Letters, digits and . @ + - _ only."),
    "Digits, spaces and + - ( ) only.": _l("Digits, spaces and + - ( ) only."),
    "At least 10 characters.": _l("At least 10 characters."),
    "Cannot exceed the campus population.": _l("Cannot exceed the campus population."),
    "Campus names must be unique within the unit.":
        _l("Campus names must be unique within the unit."),
    "Only schools have campuses.": _l("Only schools have campuses."),
    "Only hospitals have hospital figures.": _l("Only hospitals have hospital figures."),
    "A campus that still has people on it cannot be removed.":
        _l("A campus that still has people on it cannot be removed."),
    "Not a campus of this unit.": _l("Not a campus of this unit."),
    "No such jurisdiction.": _l("No such jurisdiction."),
    "No such jurisdiction in your scope.": _l("No such jurisdiction in your scope."),
    "No such unit in your scope.": _l("No such unit in your scope."),
    "Required for this role.": _l("Required for this role."),
    "A supervisor needs at least one sector.": _l("A supervisor needs at least one sector."),
    "Not a person of this unit.": _l("Not a person of this unit."),
    "This role may not do that.": _l("Your role may not do this."),
    "A coordinator may only create staff accounts of its own unit.":
        _l("A coordinator may only create staff accounts of its own unit."),
    "That unit is not yours to add users to.": _l("That unit is not yours to add users to."),
    "That username is taken.": _l("That username is taken."),
    "A unit with this credit code is already registered.":
        _l("A unit with this credit code is already registered."),
    "That jurisdiction code is taken.": _l("That jurisdiction code is taken."),
}
PATTERNS = (
    (re.compile(r"^Not a valid unified social credit code: (?P<reason>.*)\.$"),
     _l("Not a valid unified social credit code: %(reason)s.")),
    (re.compile(r"^Length must be between (?P<min>\d+) and (?P<max>\d+)\.$"),
     _l("Enter between %(min)s and %(max)s characters.")),
    (re.compile(r"^Shorter than minimum length (?P<min>\d+)\.$"),
     _l("Enter at least %(min)s characters.")),
    (re.compile(r"^Longer than maximum length (?P<max>\d+)\.$"),
     _l("Enter at most %(max)s characters.")),
    (re.compile(r"^Must be greater than or equal to (?P<min>-?\d+) and less than or equal to "
                r"(?P<max>-?\d+)\.$"), _l("Enter a number from %(min)s to %(max)s.")),
    (re.compile(r"^Must be greater than or equal to (?P<min>-?\d+)\.$"),
     _l("Enter a number of at least %(min)s.")),
    (re.compile(r"^Must be one of: .*\.$"), _l("Choose one of the offered values.")),
)


def translate_message(message) -> str:
    """The user's-language text of a schema or service message (the English one if unknown)."""
    text = str(message)
    if text in MESSAGES:
        return str(MESSAGES[text])
    for pattern, template in PATTERNS:
        if match := pattern.match(text):
            return str(template) % match.groupdict()
    return text


def flatten_errors(messages, prefix: str = "") -> dict[str, list[str]]:
    """Nested marshmallow messages keyed like form fields: campuses-0-name, hospital-beds."""
    if isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            return {prefix or "_form": [translate_message(m) for m in messages]}
        result: dict[str, list[str]] = {}
        for index, item in enumerate(messages):
            for key, value in flatten_errors(item, f"{prefix}-{index}" if prefix
                                             else str(index)).items():
                result.setdefault(key, []).extend(value)
        return result
    if isinstance(messages, dict):
        result = {}
        for key, value in messages.items():
            name = "_form" if key == "_schema" else str(key)
            name = f"{prefix}-{name}" if prefix and name != "_form" else (
                prefix or name)
            for k, v in flatten_errors(value, name).items():
                result.setdefault(k, []).extend(v)
        return result
    return {prefix or "_form": [translate_message(messages)]}


class Errors(dict):
    """Messages by form field name (`_form` for the whole form) and the page's status."""

    def __init__(self, messages=None, status: int = 422):
        super().__init__(messages or {})
        self.status = status if self else 200


def load_form(schema, data: dict) -> tuple[dict | None, Errors]:
    """Validate form data with the API's schema: (loaded data, no errors) or (None, errors)."""
    try:
        return schema.load(data), Errors()
    except ValidationError as error:
        return None, Errors(flatten_errors(error.messages))


def service_errors(error: HTTPException) -> Errors:
    """Field errors of a service's 422; any other abort is flashed (and kept under `_form`)."""
    data = getattr(error, "data", None) or {}
    fields = (data.get("errors") or {}).get("json")
    if error.code == 422 and fields:
        return Errors(flatten_errors(fields), 422)
    message = data.get("message")
    text = translate_message(message) if message else str(ERROR_TEXTS.get(error.code, error.name))
    flash(text, "error")
    return Errors({"_form": [text]}, error.code or 500)


def submit(call, *args, **kwargs):
    """Run one service write and commit: (result, {}) or (None, errors for the form).

    Service aborts (422 with field errors, 403, 409, ...) become messages next to the fields
    or a flashed message; a clash found only by the database is a 409 like in the API.
    """
    try:
        result = call(*args, **kwargs)
        db.session.commit()
        return result, Errors()
    except HTTPException as error:
        db.session.rollback()
        return None, service_errors(error)
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        return None, service_errors(Conflict())


class FormState:
    """Values to show in a form's fields and the errors to show next to them."""

    def __init__(self, values=None, errors=None):
        self.values = values or {}
        self.errors = errors or {}
        self.status = getattr(errors, "status", 200) if errors else 200

    def value(self, name: str, default=""):
        value = self.values.get(name)
        return default if value is None else value

    def values_of(self, name: str) -> list[str]:
        getlist = getattr(self.values, "getlist", None)
        if getlist is not None:
            return getlist(name)
        value = self.values.get(name) or []
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]

    def checked(self, name: str) -> bool:
        return self.values.get(name) in (True, "on", "1", "true", "y")

    def error(self, name: str) -> list[str]:
        return self.errors.get(name) or []

    def others(self, shown) -> list[str]:
        """Messages for no field on the page (form-wide, or a field not shown); flashed ones
        are already on the page."""
        if self.status not in (200, 422):
            return []
        return [m for k, msgs in self.errors.items() if k not in shown for m in msgs]


def form_text(form, name: str, *, blank=None):
    """A text field: stripped, or `blank` (a value, or OMIT) when empty."""
    value = (form.get(name) or "").strip()
    return value if value else blank


def form_int(form, name: str, *, blank=None):
    """An integer field: the number, the raw text when it is not one (the schema says so)."""
    value = (form.get(name) or "").strip()
    if not value:
        return blank
    return int(value) if re.fullmatch(r"-?\d{1,18}", value) else value


def form_bool(form, name: str) -> bool:
    return form.get(name) in ("on", "1", "true", "y")


OMIT = object()


def compact(data: dict) -> dict:
    """The data without fields marked OMIT."""
    return {k: v for k, v in data.items() if v is not OMIT}
