"""What the pages share: pagination, HTML forms loaded through the API's marshmallow schemas,
and service calls whose aborts become messages next to the fields."""
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask import flash, request, url_for
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import Conflict, HTTPException

from anbao.extensions import db
from anbao.i18n import translate
from anbao.schemas import MAX_ID, storable
from anbao.web import ERROR_TEXTS

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


def page_number() -> int:
    """The `page` query argument (from 1); anything else is the first page."""
    number = request.args.get("page", 1, type=int)
    return number if 0 < number < 10**6 else 1


def paginate_rows(rows: list, size: int = PAGE_SIZE) -> Page:
    """The page of a list already in memory (ordered or filtered in Python)."""
    number = page_number()
    number = number if (number - 1) * size < len(rows) else 1
    return Page(rows[(number - 1) * size:number * size], number, len(rows), size)


# A list page's filters from its query: a value that is not one it could mean is ignored
# (None), never an error: no text with NUL (PostgreSQL refuses it), no id beyond a column's.

def query_text(name: str, length: int = 100) -> str | None:
    value = request.args.get(name, "").strip()[:length]
    return value if value and storable(value) else None


def query_id(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if re.fullmatch(r"[1-9][0-9]{0,9}", value) and int(value) <= MAX_ID \
        else None


def query_choice(name: str, choices) -> str | None:
    value = request.args.get(name)
    return value if value in choices else None


def count_rows(stmt: sa.Select) -> int:
    """How many rows `stmt` selects (counted around it: a bare count(*) would lose its FROM)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(
        stmt.order_by(None).subquery()))


def paginate(stmt: sa.Select, size: int = PAGE_SIZE) -> Page:
    """The page of `stmt` named by the `page` query argument (from 1)."""
    number = page_number()
    total = count_rows(stmt)
    items = db.session.scalars(stmt.limit(size).offset((number - 1) * size)).all()
    return Page(list(items), number, total, size)


def flatten_errors(messages, prefix: str = "") -> dict[str, list[str]]:
    """Nested marshmallow messages keyed like form fields: campuses-0-name, hospital-beds."""
    if isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            return {prefix or "_form": [translate(m) for m in messages]}
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
    return {prefix or "_form": [translate(messages)]}


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
    text = translate(message) if message else str(ERROR_TEXTS.get(error.code, error.name))
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


def long_text(form, name: str, *, blank=None):
    """A textarea: line ends as \\n, trimmed, or `blank` when empty."""
    value = (form.get(name) or "").replace("\r\n", "\n").strip()
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


def flash_errors(errors) -> None:
    """Field errors of a form that is not on the page the user goes back to."""
    for messages in errors.values():
        for message in messages:
            flash(message, "error")


def finding_rows(form, rows: "Rows", flag: str) -> list[dict]:
    """The filled rows of a form's findings (each becomes a hazard): description, severity,
    owner, due date and a checkbox `flag` (an order, a plan review)."""
    found = []
    for i in rows.indices(form):
        row = {"description": long_text(form, f"findings-{i}-description", blank=""),
               "severity": form_text(form, f"findings-{i}-severity", blank=""),
               "owner": form_text(form, f"findings-{i}-owner", blank=""),
               "due_date": form_text(form, f"findings-{i}-due_date", blank="")}
        if form_bool(form, f"findings-{i}-{flag}"):
            row[flag] = "on"
        if row["description"] or row["owner"] or row["due_date"] or row.get(flag):
            found.append(row)
    return found


class Rows:
    """Repeated rows of a form, fields named `<prefix>-<i>-<field>` (campuses, contacts)."""

    def __init__(self, prefix: str, fields: tuple[str, ...], spare: int = 1):
        self.prefix, self.fields, self.spare = prefix, fields, spare
        self.key = re.compile(rf"{re.escape(prefix)}-(\d{{1,3}})-({'|'.join(fields)})")

    def indices(self, form) -> list[int]:
        """The row numbers present in the form, in order."""
        return sorted({int(m.group(1)) for key in form if (m := self.key.fullmatch(key))})

    def submitted(self, form, rows: list[dict]) -> dict:
        """The form's values with the filled `rows` renumbered from 0, as the schema's errors
        number them."""
        values = {k: v for k, v in form.items() if not self.key.fullmatch(k)}
        for key in values:  # keep every value of a checkbox group
            many = form.getlist(key) if hasattr(form, "getlist") else []
            if len(many) > 1:
                values[key] = many
        for i, row in enumerate(rows):
            for key, value in row.items():
                values[f"{self.prefix}-{i}-{key}"] = value
        return values

    def count(self, values: dict) -> int:
        """How many rows to show: those used and `spare` empty ones."""
        used = [int(m.group(1)) + 1 for k in values if (m := self.key.fullmatch(k))]
        return max(used, default=0) + self.spare
