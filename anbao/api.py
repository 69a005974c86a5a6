"""The /api/v1 Api object and what every resource shares: pagination, ETags, conflicts."""
import hashlib
import json
from functools import wraps

import sqlalchemy as sa
from flask import current_app, g, request
from flask_smorest import Api as _Api
from flask_smorest import Blueprint as _Blueprint
from flask_smorest import abort
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from anbao.extensions import db
from anbao.i18n import gettext

PREFIX = "/api/v1"
MAX_PAGE_SIZE = 500


# What extensions cache in `g` for one request: the logged-in user and its token
# (Flask-Login), the locale and time zone (Flask-Babel).
REQUEST_CACHE = ("_login_user", "api_token", "_flask_babel")


def _forget_previous_request() -> None:
    """`g` lives as long as the app context, and a request reuses one that is already pushed
    (the test client inside a test's context, a script's `app.app_context()`): without this
    one request would act as the user of the one before it."""
    for name in REQUEST_CACHE:
        g.pop(name, None)


class Api(_Api):
    def init_app(self, app, *args, **kwargs):
        app.before_request_funcs.setdefault(None, []).insert(0, _forget_previous_request)
        super().init_app(app, *args, **kwargs)

    def _register_error_handlers(self):
        """Errors are rendered by anbao.errors for API and pages alike."""

    def _openapi_json(self):
        """The OpenAPI document, UTF-8 as every other answer (API.md "Conventions")."""
        return current_app.response_class(
            json.dumps(self.spec.to_dict(), indent=2, ensure_ascii=False),
            mimetype="application/json; charset=utf-8")


class Parser(FlaskParser):
    """A body that json cannot read at all (nesting too deep, a number of thousands of digits)
    is malformed: 400, never 500."""

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except (RecursionError, ValueError) as err:
            if isinstance(err, json.JSONDecodeError):
                raise
            abort(400, message=gettext("The request body is malformed."))


class Blueprint(_Blueprint):
    ARGUMENTS_PARSER = Parser()

    @staticmethod
    def _make_pagination_metadata(page, page_size, item_count):
        """`total`, `total_pages` and `page` always, also on an empty or past-the-end page."""
        total_pages = -(-item_count // page_size)
        metadata = {"total": item_count, "total_pages": total_pages, "page": page}
        if total_pages:
            metadata.update(first_page=1, last_page=total_pages)
            if 1 < page <= total_pages:
                metadata["previous_page"] = page - 1
            if page < total_pages:
                metadata["next_page"] = page + 1
        return metadata


def make_api() -> Api:
    return Api(spec_kwargs={
        "info": {"description": "Anbao (安保) public HTTP interface. Date-times carry an offset."},
        "components": {"securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
    })


def blueprint(name: str, import_name: str, description: str) -> Blueprint:
    return Blueprint(name, import_name, url_prefix=PREFIX, description=description)


def paginate(blp: Blueprint):
    """Paginate a view returning a select: page from 1, page_size ≤ 500, X-Pagination header."""
    def decorator(view):
        @blp.paginate(page_size=50, max_page_size=MAX_PAGE_SIZE)
        @wraps(view)
        def wrapper(*args, pagination_parameters, **kwargs):
            stmt = view(*args, **kwargs)
            total = db.session.scalar(
                sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
            pagination_parameters.item_count = total
            if pagination_parameters.first_item >= total:
                return []  # past the end; a huge page would also overflow OFFSET
            return db.session.scalars(stmt.limit(pagination_parameters.page_size)
                                      .offset(pagination_parameters.first_item)).all()
        return wrapper
    return decorator


def paginate_list(blp: Blueprint):
    """Paginate a view returning a whole computed list (compliance rows), like `paginate`."""
    def decorator(view):
        @blp.paginate(page_size=50, max_page_size=MAX_PAGE_SIZE)
        @wraps(view)
        def wrapper(*args, pagination_parameters, **kwargs):
            items = view(*args, **kwargs)
            pagination_parameters.item_count = len(items)
            first = pagination_parameters.first_item
            return items[first:first + pagination_parameters.page_size]
        return wrapper
    return decorator


def etag_of(data) -> str:
    body = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def with_etag(schema, obj, status: int = 200):
    """A response of one resource with its ETag (the response decorator dumps it)."""
    return obj, status, {"ETag": etag_of(schema.dump(obj))}


def check_if_match(schema, obj) -> None:
    """Honour an If-Match header when given (412 when stale); it is optional (API.md)."""
    given = request.headers.get("If-Match")
    if not given or given.strip() == "*":
        return
    current = etag_of(schema.dump(obj))
    tags = [t.strip().removeprefix("W/") for t in given.split(",")]
    if current not in tags:
        abort(412, message=gettext("The resource has changed since you read it (stale If-Match)."))


def write(view):
    """Commit the request's one transaction; a unique or concurrent clash is 409/412, not 500."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            result = view(*args, **kwargs)
            db.session.commit()
            return result
        except IntegrityError:
            db.session.rollback()
            abort(409, message=gettext("This conflicts with an existing record."))
        except StaleDataError:
            db.session.rollback()
            if request.headers.get("If-Match"):
                abort(412, message=gettext("The resource has changed since you read it (stale If-Match)."))
            abort(409, message=gettext("The resource was changed by someone else at the same time."))
        except HTTPException:
            # a refused write leaves nothing half-changed in the session for whatever uses it
            # next (the next request in a test, a script's loop)
            db.session.rollback()
            raise
    return wrapper
