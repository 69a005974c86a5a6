"""Pages every role shares: home, language switch, API docs, health; the menu."""
import re
from urllib.parse import urlsplit

import swagger_ui_bundle
from flask import (Blueprint, current_app, flash, redirect, render_template, request,
                   send_from_directory, session, url_for)
from flask_babel import get_locale, refresh
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from anbao import i18n, scope
from anbao.auth import service as accounts
from anbao.extensions import db

bp = Blueprint("web", __name__)
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}  # each in itself, as the switch shows them


@bp.route("/")
@login_required
def home():
    if current_user.unit_id:
        if scope.may(current_user, "compliance.read"):  # the coordinator: its dashboard
            return redirect(url_for("compliance_views.unit_compliance",
                                    unit_id=current_user.unit_id))
        return redirect(url_for("drills_views.my_day"))  # staff: their next drills
    if scope.may(current_user, "compliance.overview"):  # police, supervisor, admin
        return redirect(url_for("home_views.dashboard"))
    return redirect(url_for("units_views.units"))


def safe_path(value: str | None) -> str | None:
    """`value` when it is a path of this site ("/..."), else None: never another host, not
    even through "//host", "/\\host", a scheme or a control character."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return None
    if re.search(r"[\x00-\x20\x7f\\]", value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


@bp.route("/language/<code>", methods=["POST"])
def language(code: str):
    """Switch the language; remembered in the session and on the account."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated:
            accounts.set_language(current_user, code)
            db.session.commit()
        refresh()  # the message below in the language just chosen
        flash(_("The pages now show in %(language)s.", language=LANGUAGE_NAMES[code]),
              "success")
    parts = urlsplit(request.referrer or "")
    back = None if parts.netloc and parts.netloc != request.host \
        else safe_path(parts.path + (f"?{parts.query}" if parts.query else ""))
    return redirect(back or url_for("web.home"))


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
    "plans_views.plans": {"plans_views.plan_new", "plans_views.plan", "plans_views.plan_edit",
                          "plans_views.plan_approve", "plans_views.plan_history"},
    "equipment_views.equipment": {"equipment_views.item_new", "equipment_views.item",
                                  "equipment_views.item_edit", "equipment_views.item_move",
                                  "equipment_views.item_inspect"},
    "hazards_views.ledger": {"hazards_views.hazard_new", "hazards_views.order_new",
                             "hazards_views.hazard", "hazards_views.hazard_edit",
                             "hazards_views.hazard_evidence", "hazards_views.hazard_rectify",
                             "hazards_views.hazard_verify", "hazards_views.hazard_escalate",
                             "hazards_views.hazard_acknowledge"},
    "hazards_views.hazards": {"hazards_views.hazard", "hazards_views.hazard_edit",
                              "hazards_views.hazard_evidence", "hazards_views.hazard_rectify",
                              "hazards_views.hazard_verify", "hazards_views.hazard_escalate",
                              "hazards_views.hazard_acknowledge"},
    "drills_views.activities": {"drills_views.activity_new", "drills_views.activity",
                                "drills_views.activity_edit", "drills_views.occurrence_move",
                                "drills_views.activity_cancel", "drills_views.outcome_new",
                                "drills_views.unit_calendar",
                                "drills_views.unit_calendar_rotate"},
    "drills_views.my_calendar": {"drills_views.my_calendar_rotate"},
    "compliance_views.overview": {"compliance_views.unit_compliance"},
    "reports_views.queue": {"reports_views.report", "reports_views.compare"},
    "reports_views.unit_reports": {"reports_views.report", "reports_views.compare",
                                   "reports_views.inspection_new"},
    "reports_views.spot_checks": set(),
}
# Plans, equipment and hazard ledgers of units reached from the units list belong to it too.
SECTIONS["units_views.units"] |= SECTIONS["plans_views.plans"] | {"plans_views.plans"} \
    | SECTIONS["equipment_views.equipment"] | {"equipment_views.equipment"} \
    | {"hazards_views.ledger", "hazards_views.hazard_new", "hazards_views.order_new"} \
    | SECTIONS["drills_views.activities"] | {"drills_views.activities"} \
    | {"reports_views.unit_reports", "reports_views.inspection_new"}


def navigation() -> list[dict]:
    """The main menu for the current user's role."""
    if not current_user.is_authenticated:
        return []
    items = []
    if current_user.unit_id:
        if current_user.role == "staff":   # their home: what they take part in next
            items.append(("drills_views.my_day", {}, _l("My drills")))
        if scope.may(current_user, "compliance.read"):
            items.append(("compliance_views.unit_compliance", {"unit_id": current_user.unit_id},
                          _l("Compliance")))
        items.append(("units_views.unit", {"unit_id": current_user.unit_id}, _l("My unit")))
        items.append(("units_views.people", {"unit_id": current_user.unit_id}, _l("People")))
        items.append(("plans_views.plans", {"unit_id": current_user.unit_id}, _l("Plans")))
        items.append(("drills_views.activities", {"unit_id": current_user.unit_id},
                      _l("Drills & training")))
        items.append(("equipment_views.equipment", {"unit_id": current_user.unit_id},
                      _l("Equipment")))
        if scope.may(current_user, "hazards.read"):
            items.append(("hazards_views.ledger", {"unit_id": current_user.unit_id},
                          _l("Hazards")))
        if scope.may(current_user, "reports.write"):
            items.append(("reports_views.unit_reports", {"unit_id": current_user.unit_id},
                          _l("Reports")))
    else:
        if scope.may(current_user, "compliance.overview"):
            items.append(("home_views.dashboard", {}, _l("Dashboard")))
        items.append(("units_views.units", {}, _l("Units")))
        items.append(("units_views.jurisdictions", {}, _l("Jurisdictions")))
        if scope.may(current_user, "hazards.read"):
            items.append(("hazards_views.hazards", {}, _l("Hazards")))
        if scope.may(current_user, "compliance.overview"):
            items.append(("compliance_views.overview", {}, _l("Compliance")))
        if scope.may(current_user, "reports.oversee"):
            items.append(("reports_views.queue", {}, _l("Reports")))
        if scope.may(current_user, "spot_checks"):
            items.append(("reports_views.spot_checks", {}, _l("Spot checks")))
    if current_user.unit_id and current_user.role in ("coordinator", "staff"):
        items.append(("drills_views.my_calendar", {}, _l("My calendar")))
    if scope.may(current_user, "users.read"):
        items.append(("auth_views.users", {}, _l("Users")))
    if scope.may(current_user, "compliance.settings"):
        items.append(("compliance_views.settings", {}, _l("Rule settings")))
    return [{"url": url_for(endpoint, **args), "label": label,
             "active": request.endpoint == endpoint
             or request.endpoint in SECTIONS.get(endpoint, ())}
            for endpoint, args, label in items]


def current_locale() -> str:
    locale = get_locale()
    return "zh_CN" if locale is None or locale.language == "zh" else "en"


for name, function in i18n.FILTERS.items():
    bp.add_app_template_filter(function, name)


@bp.app_context_processor
def template_helpers():
    return {"navigation": navigation, "current_locale": current_locale,
            "role_label": lambda role: ROLE_LABELS.get(role, role),
            "error_text": lambda code: ERROR_TEXTS.get(code, "")}
