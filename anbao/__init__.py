"""Anbao (安保): the application factory."""
from flask import Flask, current_app, has_request_context, request, session
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from anbao import config, errors
from anbao.api import PREFIX, make_api
from anbao.i18n import gettext
from anbao.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
       "form-action 'self'; object-src 'none'")


def create_app(test_config: dict | None = None) -> Flask:
    settings = {**config.DEFAULTS, **config.from_env(), **(test_config or {})}
    app = Flask(__name__, instance_path=settings["INSTANCE_PATH"],
                template_folder=str(config.ROOT / "templates"),
                static_folder=str(config.ROOT / "static"))
    app.config.update(settings)
    if proxies := app.config.get("TRUSTED_PROXIES"):
        # behind a reverse proxy that ends TLS: its X-Forwarded-* headers say the scheme,
        # host and client address (the rate limit's key, https links)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # writers wait for each other instead of failing with "database is locked"
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"] = dict(
            app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.setdefault("connect_args", {"timeout": 15})
    app.json.ensure_ascii = False
    app.json.mimetype = "application/json; charset=utf-8"

    db.init_app(app)
    migrate.init_app(app, db, directory=str(config.ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   timezone_selector=lambda: app.config["TIMEZONE"])
    bootstrap.init_app(app)
    limiter.init_app(app)
    rest_api = make_api()
    rest_api.init_app(app)
    errors.register(app)

    _register_domains(app, rest_api)
    app.before_request(_reject_wrong_media_type)
    app.before_request(_protect_from_csrf)
    app.after_request(_security_headers)

    from anbao import cli
    cli.register(app)
    return app


def _register_domains(app: Flask, rest_api) -> None:
    from anbao import auth, web
    from anbao.attachments import api as attachments_api
    from anbao.audit import api as audit_api
    from anbao.auth import api as auth_api
    from anbao.auth import views as auth_views
    from anbao.outbox import api as outbox_api
    from anbao.outbox import views as outbox_views
    from compliance import api as compliance_api
    from compliance import home as home_views
    from compliance import views as compliance_views
    from drills import api as drills_api
    from drills import views as drills_views
    from equipment import api as equipment_api
    from equipment import views as equipment_views
    from hazards import api as hazards_api
    from hazards import views as hazards_views
    from plans import api as plans_api
    from reports import api as reports_api
    from reports import views as reports_views
    from plans import views as plans_views
    from units import api as units_api
    from units import views as units_views

    auth.init_login(login_manager)
    for module in (auth_api, units_api, plans_api, equipment_api, hazards_api,
                   drills_api, compliance_api, reports_api, attachments_api, audit_api,
                   outbox_api):
        rest_api.register_blueprint(module.blp)
    for module in (web, auth_views, units_views, plans_views, equipment_views, hazards_views,
                   drills_views, compliance_views, home_views, reports_views, outbox_views):
        app.register_blueprint(module.bp)
    app.register_blueprint(drills_views.feeds)


def select_locale() -> str:
    """An explicit choice first (session, then the account); for the API, Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return languages[0]
    if (lang := session.get("lang")) in languages:
        return lang
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    if request.path.startswith(PREFIX):
        best = request.accept_languages.best_match(["zh-CN", "zh", "en"], "zh-CN")
        return "en" if best == "en" else "zh_CN"
    return languages[0]


def _reject_wrong_media_type():
    """API bodies are JSON; multipart only where a view takes files (`accepts_files`)."""
    if request.method in SAFE_METHODS or not request.path.startswith(PREFIX):
        return None
    if not request.content_length and not request.headers.get("Transfer-Encoding"):
        return None
    if request.mimetype == "application/json" or request.mimetype.endswith("+json"):
        return None
    view = current_app.view_functions.get(request.endpoint)
    if request.mimetype == "multipart/form-data" \
            and getattr(getattr(view, "view_class", view), "accepts_files", False):
        return None
    from flask_smorest import abort
    abort(415, message=gettext("Send JSON (application/json; charset=utf-8)."))


def _protect_from_csrf():
    """Browser sessions need the CSRF token on every write; bearer tokens do not."""
    if request.method in SAFE_METHODS:
        return
    if request.path.startswith(PREFIX):
        if request.headers.get("Authorization", "").startswith("Bearer ") \
                or "_user_id" not in session:
            return
    csrf.protect()


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.path.startswith(PREFIX) and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response
