"""Pages of compliance with the rules (DESIGN.md §3 "Compliance obligations"): a unit's
dashboard (the coordinator's home) with what to do next for each item, and the jurisdiction's
overview for the police, supervisors and admins with its chart and XLSX export."""
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import (Blueprint, current_app, flash, redirect, render_template, request, send_file,
                   url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from anbao import scope
from anbao import xlsx as sheets
from anbao.audit import service as audit
from anbao.extensions import db
from anbao.forms import (OMIT, FormState, compact, form_int, form_text, load_form,
                         paginate_rows, submit)
from anbao.web import current_locale
from compliance import labels, rules, service, xlsx
from compliance.models import RuleSetting
from compliance.schemas import (PERIODIC, ComplianceQueryArgsSchema, OverviewQueryArgsSchema,
                                SettingsSchema)
from drills import service as drills_service
from equipment import service as equipment_service
from equipment.models import ALERTS as EQUIPMENT_ALERTS
from hazards import service as hazards_service
from hazards.models import Hazard
from plans.labels import plan_label
from plans.models import Plan
from units import labels as unit_labels
from units import service as units_service
from reports import periods
from units.models import Jurisdiction, Unit
from units.views import jurisdiction_options, tree

bp = Blueprint("compliance_views", __name__)
bp.app_context_processor(labels.template_labels)

OVERVIEW_FILTERS = ("status", "jurisdiction_id", "as_of")
RANK = {status: n for n, status in enumerate(labels.STATUS_ORDER)}


def _may_read() -> bool:
    return current_user.is_authenticated and scope.may(current_user, "compliance.read")


def _unit_result(unit: Unit):
    """The unit's compliance today, for the badge on the unit's page."""
    return service.unit_compliance(current_user, unit, None)


@bp.app_context_processor
def compliance_helpers() -> dict:
    return {"may_read_compliance": _may_read, "unit_compliance_result": _unit_result}


def _filters(schema, names) -> dict:
    """The page's GET filters, loaded through the API's query schema; invalid ones dropped."""
    raw = compact({name: form_text(request.args, name, blank=OMIT) for name in names})
    data, errors = load_form(schema, raw)
    if errors:
        data, _errors = load_form(schema, {k: v for k, v in raw.items() if k not in errors})
    return data or {}


def query_args(filters: dict) -> dict:
    """The filters as query arguments again, for links."""
    return {key: value.isoformat() if isinstance(value, date) else value
            for key, value in filters.items()}


# A unit's dashboard

@dataclass
class Step:
    """What to do next about an item: a link, its words and icon."""
    label: object
    url: str
    icon: str
    primary: bool = True


def _due_text(due: date | None, as_of: date) -> str:
    if due is None:
        return ""
    days = (due - as_of).days
    if days < 0:
        return ngettext("%(num)s day overdue", "%(num)s days overdue", -days)
    if days == 0:
        return str(_l("due today"))
    return ngettext("%(num)s day left", "%(num)s days left", days)


def _equipment_alert(unit: Unit, as_of: date) -> str | None:
    """The first alert of the ledger's filter that one of the unit's items has."""
    found = set()
    for item in db.session.scalars(equipment_service.equipment_query(current_user, unit, {})):
        found.update(equipment_service.alerts(item, as_of))
    return next((alert for alert in EQUIPMENT_ALERTS if alert in found), None)


def _next_steps(unit: Unit, item, plans: dict, equipment_alert) -> list[Step]:
    """Where to go to put the item right (or to look at it, for roles that only read)."""
    may = lambda action: scope.may(current_user, action)  # noqa: E731
    bad = item.status != "ok"
    code = item.rule
    if code == "PLAN-SET":
        if item.status == "missing" and may("plans.write"):
            return [Step(_l("Write this plan"), url_for(
                "plans_views.plan_new", unit_id=unit.id, scenario=item.subject),
                "bi-journal-plus")]
        return [Step(_l("See the plans"), url_for("plans_views.plans", unit_id=unit.id),
                     "bi-journal-text", bad)]
    if code == "PLAN-REVIEW":
        plan = plans.get(item.subject)
        if plan is None:
            return [Step(_l("See the plans"), url_for("plans_views.plans", unit_id=unit.id),
                         "bi-journal-text", bad)]
        label = _l("Review the plan and have it approved again") \
            if bad and may("plans.write") else _l("Open the plan")
        return [Step(label, url_for("plans_views.plan", plan_id=plan.id), "bi-journal-check",
                     bad)]
    if code == "DRILL-PLAN":
        if bad and may("activities.write"):
            return [Step(_l("Schedule a drill of this scenario"), url_for(
                "drills_views.activity_new", unit_id=unit.id, kind="drill",
                scenario=item.subject), "bi-calendar-plus")]
        return [Step(_l("See drills and training"), url_for(
            "drills_views.activities", unit_id=unit.id), "bi-calendar-event", bad)]
    if code in rules.TRAINING_RULES:
        if bad and may("activities.write"):
            return [Step(_l("Schedule this training"), url_for(
                "drills_views.activity_new", unit_id=unit.id, kind="training",
                topic=rules.TRAINING_RULES[code]), "bi-calendar-plus")]
        return [Step(_l("See drills and training"), url_for(
            "drills_views.activities", unit_id=unit.id), "bi-calendar-event", bad)]
    if code == "EQUIPMENT":
        if item.status == "non_compliant" and equipment_alert:
            return [Step(_l("See the items to put right"), url_for(
                "equipment_views.equipment", unit_id=unit.id, alert=equipment_alert),
                "bi-box-seam")]
        return [Step(_l("Open the equipment ledger"), url_for(
            "equipment_views.equipment", unit_id=unit.id), "bi-box-seam", bad)]
    if code == "HAZARD":
        if item.status == "overdue":
            return [Step(_l("Rectify the overdue hazards"), url_for(
                "hazards_views.ledger", unit_id=unit.id, overdue="true"), "bi-clipboard-check")]
        if item.status == "due_soon":
            return [Step(_l("See the open hazards"), url_for(
                "hazards_views.ledger", unit_id=unit.id, status="open"), "bi-clipboard-check")]
        return [Step(_l("Open the hazard ledger"), url_for(
            "hazards_views.ledger", unit_id=unit.id), "bi-clipboard-check", False)]
    if code == "REPORT":
        if bad and may("reports.write"):
            return [Step(_l("Prepare the report"), url_for(
                "reports_views.unit_reports", unit_id=unit.id,
                period_start=periods.start_of(item.subject).isoformat()),
                "bi-file-earmark-text")]
        return [Step(_l("See the reports"), url_for("reports_views.unit_reports",
                                                     unit_id=unit.id), "bi-file-earmark-text",
                     bad)]
    if code == "STAFFING":
        rules_link = Step(_l("See the staffing rules"), url_for(
            "units_views.unit", unit_id=unit.id, _anchor="staffing-heading"), "bi-people",
            bad and not may("people.write"))
        if bad and may("people.write"):
            return [Step(_l("Add people to the roster"), url_for(
                "units_views.people", unit_id=unit.id), "bi-person-plus"),
                Step(rules_link.label, rules_link.url, rules_link.icon, False)]
        return [rules_link]
    return []


def _subject(item, plans: dict, unit: Unit) -> str:
    """What the item is about, in words: a scenario, a plan's title and level, or a report's
    period."""
    if item.subject is None:
        return ""
    if item.rule == "REPORT":
        return periods.words(item.subject)
    if item.rule in ("PLAN-SET", "DRILL-PLAN"):
        return str(plan_label("scenario", item.subject))
    if item.rule == "PLAN-REVIEW":
        plan = plans.get(item.subject)
        if plan is None:
            return item.subject
        return f"{plan.title} · {plan_label('scenario', plan.scenario)} · " \
               f"{plan_label('level', plan.level)}"
    return item.subject


NEXT_DAYS = 30  # the dashboard's "next drills" look this far ahead
PANEL_ROWS = 5


def _panels(unit: Unit, result) -> dict:
    """What the coordinator looks at next to the obligations: the next drills and trainings,
    the open hazards, the report the unit owes."""
    today = units_service.today_in(unit)
    now = datetime.now(ZoneInfo(unit.timezone))
    upcoming = [row for row in drills_service.schedule(current_user, unit, today,
                                                       today + timedelta(days=NEXT_DAYS))
                if row.status != "cancelled" and row.ends_at > now]
    panels = {"drills": upcoming[:PANEL_ROWS], "drills_count": len(upcoming),
              "days": NEXT_DAYS,
              "reports": [item for item in result.items if item.rule == "REPORT"]}
    if scope.may(current_user, "hazards.read"):
        panels["hazards"] = hazards_service.summary(current_user, unit)
        panels["open_hazards"] = db.session.scalars(
            hazards_service.hazards_query(current_user, {"status": "open"}, unit)
            .order_by(None).order_by(Hazard.due_date, Hazard.id).limit(PANEL_ROWS)).all()
    return panels


@bp.route("/units/<int:unit_id>/compliance")
@login_required
def unit_compliance(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    filters = _filters(ComplianceQueryArgsSchema(), ("as_of",))
    result = service.unit_compliance(current_user, unit, filters.get("as_of"))  # staff: 403
    as_of = result.as_of
    ids = [int(item.subject) for item in result.items
           if item.rule == "PLAN-REVIEW" and str(item.subject).isdigit()]
    plans = {str(plan.id): plan for plan in db.session.scalars(
        sa.select(Plan).where(Plan.id.in_(ids)))} if ids else {}
    equipment_alert = _equipment_alert(unit, as_of) if any(
        item.rule == "EQUIPMENT" and item.status == "non_compliant"
        for item in result.items) else None
    order = list(rules.RULES)
    items = sorted(result.items, key=lambda item: (RANK.get(item.status, 0),
                                                   order.index(item.rule)
                                                   if item.rule in order else 99))
    rows = [{"item": item, "title": labels.rule_title(item.rule),
             "subject": _subject(item, plans, unit), "due": _due_text(item.due_date, as_of),
             "late": item.due_date is not None and item.due_date < as_of,
             "steps": _next_steps(unit, item, plans, equipment_alert)} for item in items]
    counts = {status: result.count(status) for status in labels.STATUS_ORDER}
    return render_template(
        "compliance/unit.html", unit=unit, result=result, as_of=as_of,
        chosen_as_of=filters.get("as_of"), counts=counts,
        open_rows=[row for row in rows if row["item"].status != "ok"],
        ok_rows=[row for row in rows if row["item"].status == "ok"],
        today=units_service.today_in(unit),
        panels=None if filters.get("as_of") else _panels(unit, result),
        periods=periods, may_schedule=scope.may(current_user, "activities.write"))


# The jurisdiction's overview

def districts_of(results) -> tuple[dict, dict]:
    """Each unit's district (the node under the city on its path) and its place in words,
    in two queries whatever the number of units."""
    own = {j.id: j for j in db.session.scalars(sa.select(Jurisdiction).where(
        Jurisdiction.id.in_({r.unit.jurisdiction_id for r in results})))} if results else {}

    def path_ids(node):
        return [int(part) for part in (node.path or "").strip("/").split("/") if part]

    wanted = {ids[1] if len(ids) > 1 else node.id for node in own.values()
              for ids in [path_ids(node)]}
    above = {j.id: j for j in db.session.scalars(sa.select(Jurisdiction).where(
        Jurisdiction.id.in_(wanted - set(own))))} if wanted - set(own) else {}
    nodes = {**own, **above}
    district_of, place_of = {}, {}
    for node in own.values():
        ids = path_ids(node)
        district = nodes.get(ids[1] if len(ids) > 1 else node.id, node)
        district_of[node.id] = district
        place_of[node.id] = district.name if district.id == node.id \
            else f"{district.name} · {node.name}"
    return district_of, place_of


# The chart's geometry, in SVG user units
CHART = {"width": 760, "label": 170, "bar": 470, "row": 34, "height": 22, "top": 44}


def chart_of(results, district_of) -> dict:
    """Units by status and district as stacked horizontal bars, one per district."""
    by_district: dict[int, dict] = {}
    for result in results:
        district = district_of[result.unit.jurisdiction_id]
        entry = by_district.setdefault(district.id, {
            "id": district.id, "name": district.name, "code": district.code,
            "counts": dict.fromkeys(rules.UNIT_STATUSES, 0)})
        entry["counts"][result.status] += 1
    bars = sorted(by_district.values(), key=lambda b: (b["code"], b["id"]))
    most = max((sum(b["counts"].values()) for b in bars), default=0) or 1
    for index, bar in enumerate(bars):
        bar["y"] = CHART["top"] + index * CHART["row"]
        bar["total"] = sum(bar["counts"].values())
        x = CHART["label"]
        bar["segments"] = []
        for status in rules.UNIT_STATUSES:
            n = bar["counts"][status]
            if not n:
                continue
            width = round(CHART["bar"] * n / most, 1)
            bar["segments"].append({"status": status, "count": n, "x": x, "width": width,
                                    "colour": labels.UNIT_STATUS_COLOURS[status],
                                    "label": labels.UNIT_STATUS_LABELS[status]})
            x += width
        bar["end"] = x
    legend, x = [], CHART["label"]
    for status in rules.UNIT_STATUSES:
        legend.append({"status": status, "x": x, "colour": labels.UNIT_STATUS_COLOURS[status],
                       "label": labels.UNIT_STATUS_LABELS[status]})
        x += 150
    height = CHART["top"] + max(len(bars), 1) * CHART["row"] + 6
    return {**CHART, "bars": bars, "legend": legend, "total_height": height}


def _jurisdiction_choices() -> list[Jurisdiction]:
    return tree(db.session.scalars(units_service.jurisdictions_query(current_user)).all())


def _overview_filters(choices) -> dict:
    filters = _filters(OverviewQueryArgsSchema(), OVERVIEW_FILTERS)
    if "jurisdiction_id" in filters and filters["jurisdiction_id"] not in {j.id for j in choices}:
        del filters["jurisdiction_id"]  # not one the user oversees: ignored, like any bad value
    return filters


@bp.route("/compliance")
@login_required
def overview():
    scope.authorize(current_user, "compliance.overview")
    choices = _jurisdiction_choices()
    filters = _overview_filters(choices)
    every = service.overview(current_user, {k: v for k, v in filters.items() if k != "status"})
    results = [r for r in every if r.status == filters["status"]] if "status" in filters \
        else every
    district_of, place_of = districts_of(every)
    counts = {status: sum(r.status == status for r in every) for status in rules.UNIT_STATUSES}
    args = query_args(filters)
    return render_template(
        "compliance/overview.html", page=paginate_rows(results), filters=filters, args=args,
        filtered=bool(filters), counts=counts, total=len(every),
        chart=chart_of(every, district_of),
        place_of=place_of, jurisdictions=jurisdiction_options(choices),
        status_link=lambda status: url_for("compliance_views.overview",
                                           **{**args, "status": status}),
        all_link=url_for("compliance_views.overview",
                         **{k: v for k, v in args.items() if k != "status"}),
        as_of=filters.get("as_of"),
        may_change_settings=scope.may(current_user, "compliance.settings"))


def _today() -> date:
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


@bp.route("/compliance.xlsx")
@login_required
def export():
    scope.authorize(current_user, "compliance.overview")
    choices = _jurisdiction_choices()
    filters = _overview_filters(choices)
    results = service.overview(current_user, filters)
    _district_of, place_of = districts_of(results)
    rows = [(r.unit.name, place_of[r.unit.jurisdiction_id],
             str(unit_labels.label("category", r.unit.category)),
             str(labels.UNIT_STATUS_LABELS[r.status]), r.count("overdue"), r.count("due_soon"),
             r.count("missing"), r.count("non_compliant")) for r in results]
    locale = current_locale()
    named = {j.id: j.name for j in choices}
    where = named.get(filters.get("jurisdiction_id") or current_user.jurisdiction_id) \
        or ("全部" if locale == "zh_CN" else "all")
    body = xlsx.overview_xlsx(locale, rows)
    audit.record(current_user, "export", "compliance", None,
                 jurisdiction_id=filters.get("jurisdiction_id") or current_user.jurisdiction_id,
                 detail={"format": "xlsx", "units": len(rows), "filters": query_args(filters)})
    db.session.commit()
    return send_file(io.BytesIO(body), as_attachment=True,
                     download_name=xlsx.filename(locale, where,
                                                 filters.get("as_of") or _today()),
                     mimetype=sheets.MIMETYPE)


# The rule settings (admin): each periodic rule's interval in months

def _render_settings(state: FormState, current: dict[str, int]):
    changed = {row.rule: row for row in db.session.scalars(sa.select(RuleSetting))}
    rows = [{"code": code, "rule": rules.RULES[code], "default": rules.RULES[code].months,
             "current": current[code], "setting": changed.get(code)} for code in PERIODIC]
    return render_template("compliance/settings.html", form=state, rows=rows,
                           fields=PERIODIC, onsite_months=rules.ONSITE_DRILL_MONTHS,
                           settings_zone=ZoneInfo(current_app.config["TIMEZONE"]),
                           review_days=rules.REQUESTED_REVIEW_DAYS), state.status


@bp.route("/compliance/settings", methods=["GET", "POST"])
@login_required
def settings():
    scope.authorize(current_user, "compliance.settings")
    current = service.months()
    if request.method == "GET":
        return _render_settings(FormState(dict(current)), current)
    raw = {code: form_int(request.form, code) for code in PERIODIC}
    data, errors = load_form(SettingsSchema(), raw)
    if not errors:
        changes = {code: value for code, value in data.items() if value != current[code]}
        if not changes:
            flash(_("Nothing changed: every interval is as it was."), "info")
            return redirect(url_for("compliance_views.settings"))
        _after, errors = submit(service.update_months, current_user, changes)
        if not errors:
            flash(ngettext("Saved: %(num)s rule has a new interval. Due dates of every unit "
                           "follow it from now on.",
                           "Saved: %(num)s rules have new intervals. Due dates of every unit "
                           "follow them from now on.", len(changes)), "success")
            return redirect(url_for("compliance_views.settings"))
    return _render_settings(FormState(request.form, errors), current)
