"""One error shape for the API (API.md "Conventions") and friendly pages for browsers."""
import logging

from flask import jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from anbao.api import PREFIX
from anbao.extensions import db
from anbao.i18n import gettext, translate_errors

log = logging.getLogger(__name__)


def wants_json() -> bool:
    return request.path.startswith(PREFIX + "/") or request.path == PREFIX


def error_payload(error: HTTPException) -> tuple[dict, dict]:
    payload = {"code": error.code, "status": error.name,
               "message": error.description or error.name}
    headers = {}
    data = getattr(error, "data", None) or {}
    if "message" in data:
        payload["message"] = data["message"]
    errors = data.get("errors") or data.get("messages")
    if errors and error.code == 422:
        payload["errors"] = translate_errors(errors)
        if "message" not in data:
            payload["message"] = gettext("Some values are invalid; see errors.")
    elif errors and "message" not in data:
        # `errors` is for invalid values only (API.md); a malformed body is just that
        payload["message"] = (gettext("The request body is malformed.") if error.code == 400
                              else error.description or error.name)
    headers.update(data.get("headers") or {})
    if error.code == 429 and getattr(error, "retry_after", None):
        headers["Retry-After"] = str(error.retry_after)
    return payload, headers


def handle_http(error: HTTPException):
    if isinstance(error, CSRFError):
        error.description = "The CSRF token is missing or invalid; reload the page."
    payload, headers = error_payload(error)
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    if wants_json():
        response = jsonify(payload)
    else:
        response = make_response(render_template("error.html", error=payload))
    response.status_code = error.code
    for name, value in headers.items():
        response.headers[name] = value
    if error.code == 413:
        response.headers["Connection"] = "close"
    return response


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    db.session.rollback()  # leave no failed transaction behind for the next use of the session
    return handle_http(InternalServerError())


def register(app) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(Exception, handle_unexpected)
