"""The home page of those who oversee units: their jurisdiction at a glance. The police see
units by status, the review queue, overdue orders and escalations waiting for them; a sector
supervisor the same for the sector; an admin also the accounts and the rule settings. Each
panel shows the first rows and links to the whole list, with its filters set."""
import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from anbao import scope
from anbao.auth import service as accounts
from anbao.extensions import db
from anbao.forms import count_rows
from compliance import rules, service
from compliance.views import chart_of, districts_of
from hazards import service as hazards
from hazards.models import Hazard
from reports import service as reports
from reports.models import Report, ReportRevision
from units import service as units

bp = Blueprint("home_views", __name__)

ROWS = 6  # rows a panel shows; its link opens the rest


def _first(stmt: sa.Select, *order) -> list:
    return db.session.scalars(stmt.order_by(None).order_by(*order).limit(ROWS)).all()


def _review_queue() -> dict:
    """Submitted reports, the longest waiting first."""
    if not scope.may(current_user, "reports.oversee"):
        return {}
    stmt = reports.reports_query(current_user, {"status": "submitted"})
    submitted = sa.select(sa.func.max(ReportRevision.submitted_at)).where(
        ReportRevision.report_id == Report.id).scalar_subquery()
    rows = db.session.execute(stmt.order_by(None).add_columns(submitted.label("at"))
                              .order_by(submitted, Report.id).limit(ROWS)).all()
    return {"count": count_rows(stmt), "rows": rows,
            "reviews": scope.may(current_user, "reports.review"),
            "url": url_for("reports_views.queue", status="submitted")}


def _hazards(filters: dict, endpoint_args: dict) -> dict:
    stmt = hazards.hazards_query(current_user, filters).options(selectinload(Hazard.unit))
    return {"count": count_rows(stmt), "rows": _first(stmt, Hazard.due_date, Hazard.id),
            "url": url_for("hazards_views.hazards", **endpoint_args)}


def _administration() -> dict:
    if current_user.role != "admin":
        return {}
    return {"users": count_rows(accounts.users_query(current_user)),
            "jurisdictions": count_rows(units.jurisdictions_query(current_user)),
            "changed_rules": sum(months != rules.RULES[code].months
                                 for code, months in service.months().items())}


@bp.route("/dashboard")
@login_required
def dashboard():
    if current_user.unit_id:
        return redirect(url_for("web.home"))
    scope.authorize(current_user, "compliance.overview")
    results = service.overview(current_user, {})
    district_of, place_of = districts_of(results)
    worst = sorted((r for r in results if r.status != "compliant"),
                   key=lambda r: (r.status != "non_compliant", -r.count("overdue"),
                                  -r.count("missing"), r.unit.name))[:ROWS]
    escalations = _hazards({"escalated_to": current_user.role, "acknowledged": False},
                           {"escalated_to": current_user.role, "acknowledged": "false"}) \
        if current_user.role in ("police", "supervisor") else {}
    return render_template(
        "compliance/home.html", total=len(results), worst=worst, place_of=place_of,
        counts={status: sum(r.status == status for r in results)
                for status in rules.UNIT_STATUSES},
        chart=chart_of(results, district_of), queue=_review_queue(),
        orders=_hazards({"overdue": True, "order": True}, {"overdue": "true", "order": "true"}),
        escalations=escalations, administration=_administration(),
        may_spot_check=scope.may(current_user, "spot_checks"))
