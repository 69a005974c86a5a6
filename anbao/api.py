"""The /api/v1 Api object and what every resource shares: pagination, ETags, conflicts."""
import hashlib
import json
from functools import wraps

import sqlalchemy as sa
from flask import request
from flask_smorest import Api as _Api
from flask_smorest import Blueprint, abort
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from anbao.extensions import db

PREFIX = "/api/v1"
MAX_PAGE_SIZE = 500


class Api(_Api):
    def _register_error_handlers(self):
        """Errors are rendered by anbao.errors for API and pages alike."""


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
            return db.session.scalars(stmt.limit(pagination_parameters.page_size)
                                      .offset(pagination_parameters.first_item)).all()
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
        abort(412, message="The resource has changed since you read it (stale If-Match).")


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
            abort(409, message="This conflicts with an existing record.")
        except StaleDataError:
            db.session.rollback()
            if request.headers.get("If-Match"):
                abort(412, message="The resource has changed since you read it (stale If-Match).")
            abort(409, message="The resource was changed by someone else at the same time.")
    return wrapper
