"""Pages of reports, their review, inspections and spot checks: a unit's owed periods, reports
and police inspections; one report with its checklist form, submission, review, downloads and
revisions; what changed between two revisions; the police's review queue; random spot checks.
"""
import difflib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import (Blueprint, current_app, flash, redirect, render_template, request, send_file,
                   url_for)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.orm import defer, selectinload

from anbao import scope
from anbao.extensions import db
from anbao.i18n import day_text
from anbao.schemas import FIRST_DAY, LAST_DAY
from anbao.forms import (OMIT, Errors, FormState, Rows, compact, count_rows, finding_rows,
                         flash_errors, form_int, form_text, load_form, long_text, paginate,
                         paginate_rows, query_choice, query_id, query_text, submit)
from compliance.labels import compliance_label
from drills.labels import drill_label
from equipment.labels import equipment_label
from hazards.labels import hazard_label
from hazards.models import SEVERITIES
from plans.labels import plan_label
from reports import checklist, exports, inspections, labels, periods, service
from reports.models import INSPECTION_KINDS, Inspection, Report, ReportRevision, SpotCheck
from reports.schemas import (PoliceInspectionSchema, ReportCreateSchema, ReportQueryArgsSchema,
                             ReportUpdateSchema, ReviewInputSchema, SpotCheckSchema)
from units import service as units_service
from units.labels import label as unit_label
from units.models import CATEGORIES, Jurisdiction, Unit
from units.service import today_in
from units.views import jurisdiction_options, tree

bp = Blueprint("reports_views", __name__)
bp.app_context_processor(labels.template_labels)

DONE = ("submitted", "accepted")  # a period with such a report is reported (DESIGN.md §3)
QUEUE_ORDER = {"submitted": 0, "returned": 1, "accepted": 2}
FINDINGS = Rows("findings", ("description", "severity", "due_date", "order", "owner"), spare=3)
ITEM_ERROR = re.compile(r"checklist-(C\d\d)\b")


def _may_read() -> bool:
    return current_user.is_authenticated and scope.may(current_user, "reports.read")


@bp.app_context_processor
def report_helpers() -> dict:
    return {"may_read_reports": _may_read, "report_period": periods.name_of}


# A unit's reports and inspections

@dataclass
class OwedPeriod:
    """A period the unit owes a report for, and where that report stands."""
    start: date
    end: date
    due: date
    report: Report | None
    overdue: bool
    running: bool  # the period has not ended yet
    chosen: bool = False
    late: bool = False  # before the first owed period (a late report)

    @property
    def name(self) -> str:
        return periods.name_of(self.start, self.end)


def _visible_reports(unit: Unit) -> list[Report]:
    """The unit's reports the user may open (the oversight: no drafts; staff: 403)."""
    return db.session.scalars(service.reports_query(current_user, {}, unit)).all()


def _chosen_period(unit: Unit) -> tuple[date, date] | None:
    months = periods.months_of(unit)
    raw = request.args.get("period_start", "")
    if months is None or not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    if not FIRST_DAY <= day <= LAST_DAY:
        return None
    return periods.containing(day, months)


def _owed_periods(unit: Unit, reports: list[Report], today: date) -> list[OwedPeriod]:
    """The owed periods up to today, newest first, with the chosen one (maybe earlier)."""
    by_start = {r.period_start: r for r in reports}
    chosen = _chosen_period(unit)
    spans = periods.owed(unit, today)
    late = chosen is not None and chosen not in spans and chosen[0] <= today
    if late:
        spans = sorted([*spans, chosen])
    rows = []
    for start, end in reversed(spans):
        report = by_start.get(start)
        due = periods.due(end)
        done = report is not None and report.status in DONE
        rows.append(OwedPeriod(start, end, due, report, overdue=not done and due < today,
                               running=end >= today, chosen=(start, end) == chosen,
                               late=late and (start, end) == chosen))
    return rows


def _submitted_at(report_ids) -> dict[int, object]:
    """The last submission of each report, in one query."""
    if not report_ids:
        return {}
    return dict(db.session.execute(
        sa.select(ReportRevision.report_id, sa.func.max(ReportRevision.submitted_at))
        .where(ReportRevision.report_id.in_(report_ids))
        .group_by(ReportRevision.report_id)).all())


@bp.route("/units/<int:unit_id>/reports")
@login_required
def unit_reports(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    reports = _visible_reports(unit)
    today = today_in(unit)
    owed = _owed_periods(unit, reports, today)
    stmt = inspections.inspections_query(current_user, unit).order_by(None) \
        .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
    kind = request.args.get("kind")
    kind = kind if kind in INSPECTION_KINDS else None  # anything else: ignored
    if kind:
        stmt = stmt.where(Inspection.kind == kind)
    page = paginate(stmt)
    return render_template(
        "reports/unit.html", unit=unit, today=today, owed=owed,
        reports=sorted(reports, key=lambda r: (r.period_start, r.id), reverse=True),
        submitted_at=_submitted_at([r.id for r in reports]),
        months=periods.months_of(unit), inspections=page,
        overdue_count=sum(row.overdue for row in owed),
        may_write=scope.may(current_user, "reports.write"),
        may_inspect=scope.may(current_user, "inspections.write"), inspection_kind=kind,
        inspection_kinds=[(k, labels.report_label("kind", k)) for k in INSPECTION_KINDS])


@bp.route("/units/<int:unit_id>/reports", methods=["POST"])
@login_required
def report_create(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    scope.authorize(current_user, "reports.write")
    data, errors = load_form(ReportCreateSchema(), compact({
        "period_start": form_text(request.form, "period_start", blank=OMIT),
        "period_end": form_text(request.form, "period_end", blank=OMIT)}))
    if not errors:
        report, errors = submit(service.create_report, current_user, unit,
                                data["period_start"], data["period_end"])
        if not errors:
            flash(_("The report for %(period)s was started from the unit’s records. Answer "
                    "the checklist, write the narrative and submit it by %(date)s.",
                    period=periods.name_of(report.period_start, report.period_end),
                    date=day_text(periods.due(report.period_end))), "success")
            return redirect(url_for("reports_views.report", report_id=report.id))
    if errors.status == 422:
        flash_errors(errors)
    return redirect(url_for("reports_views.unit_reports", unit_id=unit.id,
                            period_start=request.form.get("period_start") or None))


# One report

def _answer_values(report: Report) -> dict:
    """The form's values from the working revision."""
    values = {"narrative": report.narrative, "version": str(report.lock_version)}
    for item_id, answer in (report.answers or {}).items():
        values[f"checklist-{item_id}-answer"] = answer.get("answer") or ""
        values[f"checklist-{item_id}-note"] = answer.get("note") or ""
    return values


def _item_errors(errors) -> Errors:
    """Errors of checklist items under `checklist-Cnn`, whatever the schema named them."""
    result = Errors({}, getattr(errors, "status", 422))
    for key, messages in (errors or {}).items():
        match = ITEM_ERROR.match(key)
        name = f"checklist-{match.group(1)}" if match else key
        shown = result.setdefault(name, [])
        shown.extend(m for m in messages if m not in shown)
    result.status = getattr(errors, "status", 422) if result else 200
    return result


def _history(report: Report) -> list[dict]:
    """What happened to the report, oldest first: started, each submission, each review."""
    steps = [{"at": report.created_at, "action": "create", "by": report.created_by,
              "revision": 1, "comment": ""}]
    for revision in report.revisions:
        steps.append({"at": revision.submitted_at, "action": "submit",
                      "by": revision.submitted_by, "revision": revision.revision,
                      "comment": ""})
        if revision.decision is not None:
            steps.append({"at": revision.reviewed_at, "action": revision.decision,
                          "by": revision.reviewer, "revision": revision.revision,
                          "comment": revision.comment})
    return sorted(steps, key=lambda step: step["at"])


def _render_report(report: Report, edit: FormState | None = None,
                   review: FormState | None = None):
    unit = report.unit
    may_write = scope.may(current_user, "reports.write")
    editable = may_write and report.status in service.EDITABLE
    edit = edit or FormState(_answer_values(report))
    review = review or FormState()
    unanswered = checklist.unanswered(report.answers or {}) if editable else []
    today = today_in(unit)
    return render_template(
        "reports/report.html", report=report, unit=unit, data=service.view(report, current_user),
        report_zone=ZoneInfo(unit.timezone), editable=editable, form=edit,
        review_form=review, items=checklist.shown(report.answers or {}),
        answer_choices=list(labels.ANSWER_LABELS.items()), unanswered=unanswered,
        may_review=scope.may(current_user, "reports.review") and report.status == "submitted",
        history=_history(report), revisions=report.revisions, today=today,
        due=periods.due(report.period_end),
        overdue=report.status not in DONE and periods.due(report.period_end) < today,
        oversight=scope.may(current_user, "reports.oversee")), \
        max(edit.status, review.status)


@bp.route("/reports/<int:report_id>")
@login_required
def report(report_id: int):
    found = service.get_report(current_user, report_id)
    service.note_read(current_user, found)
    db.session.commit()
    return _render_report(found)


def _back(report_id: int, anchor: str | None = None):
    return redirect(url_for("reports_views.report", report_id=report_id, _anchor=anchor))


def _checklist_data(form) -> tuple[dict, dict]:
    """The form as the API's PATCH body, and the form's own errors (a note without an
    answer cannot be kept: an answer is required of every item given)."""
    answers, own = {}, {}
    for item_id in checklist.IDS:
        answer = form_text(form, f"checklist-{item_id}-answer")
        note = long_text(form, f"checklist-{item_id}-note", blank="")
        if answer:
            answers[item_id] = {"answer": answer, "note": note}
        elif note:
            own[f"checklist-{item_id}"] = [_("Choose yes, no or not applicable to keep this "
                                             "note.")]
    return {"narrative": long_text(form, "narrative", blank=""), "checklist": answers}, own


@bp.route("/reports/<int:report_id>/save", methods=["POST"])
@login_required
def report_save(report_id: int):
    found = service.get_report(current_user, report_id)
    scope.authorize(current_user, "reports.write")
    if found.status not in service.EDITABLE:
        flash(_("The report is %(status)s and can no longer be changed.",
                status=labels.report_label("status", found.status)), "error")
        return _back(report_id)
    data, own = _checklist_data(request.form)
    loaded, errors = load_form(ReportUpdateSchema(), data)
    if own:
        errors = Errors({**own, **errors})
    if not errors and request.form.get("version") != str(found.lock_version):
        errors = Errors({"_form": [_("Someone else changed this report meanwhile. Your input "
                                     "is kept below: check it against the report and save "
                                     "again.")]}, 409)
        flash(errors["_form"][0], "error")
    if not errors:
        _saved, errors = submit(service.update_report, current_user, found, loaded)
        if not errors:
            flash(_("Your answers and the narrative are saved."), "success")
            return _back(report_id, "answers")
        found = db.session.get(Report, report_id)
    values = request.form.to_dict()
    values["version"] = str(found.lock_version)
    return _render_report(found, edit=FormState(values, _item_errors(errors)))


@bp.route("/reports/<int:report_id>/refresh", methods=["POST"])
@login_required
def report_refresh(report_id: int):
    found = service.get_report(current_user, report_id)
    scope.authorize(current_user, "reports.write")
    _saved, errors = submit(service.refresh, current_user, found)
    if not errors:
        flash(_("The report was assembled again from the unit’s records as they stand now."),
              "success")
    return _back(report_id)


@bp.route("/reports/<int:report_id>/submit", methods=["POST"])
@login_required
def report_submit(report_id: int):
    found = service.get_report(current_user, report_id)
    scope.authorize(current_user, "reports.write")
    saved, errors = submit(service.submit, current_user, found)
    if not errors:
        revision = saved.revisions[-1]
        flash(_("Revision %(revision)s submitted to the police. SHA-256: %(sha)s",
                revision=revision.revision, sha=revision.sha256), "success")
        return _back(report_id)
    if errors.status != 422:
        return _back(report_id)
    found = db.session.get(Report, report_id)
    missing = sorted({m.group(1) for key in errors if (m := ITEM_ERROR.match(key))})
    flash(ngettext("Answer item %(items)s of the checklist and save before submitting.",
                   "Answer items %(items)s of the checklist and save before submitting.",
                   len(missing), items=", ".join(missing)), "error")
    return _render_report(found, edit=FormState(_answer_values(found), _item_errors(errors)))


@bp.route("/reports/<int:report_id>/review", methods=["POST"])
@login_required
def report_review(report_id: int):
    found = service.get_report(current_user, report_id)
    scope.authorize(current_user, "reports.review")
    data, errors = load_form(ReviewInputSchema(), compact({
        "decision": form_text(request.form, "decision", blank=OMIT),
        "comment": long_text(request.form, "comment", blank="")}))
    if not errors:
        saved, errors = submit(service.review, current_user, found, data["decision"],
                               data["comment"])
        if not errors:
            flash(_("Accepted. The unit’s coordinators are told.") if saved.status == "accepted"
                  else _("Returned to the unit with your comment; it comes back as revision "
                         "%(revision)s.", revision=saved.revision), "success")
            return _back(report_id)
        if errors.status != 422:
            return _back(report_id)
        found = db.session.get(Report, report_id)
    return _render_report(found, review=FormState(request.form, errors))


@bp.route("/reports/<int:report_id>/download.<any(pdf, xlsx):kind>")
@login_required
def report_download(report_id: int, kind: str):
    found = service.get_report(current_user, report_id)
    body, mimetype, filename = exports.download(current_user, found, kind)
    db.session.commit()
    return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True,
                     download_name=filename)


# What changed between two revisions

@dataclass
class Version:
    number: int
    label: str
    content: dict
    checklist: list
    narrative: str


@dataclass
class Section:
    """What changed in one part of the report's content."""
    title: str
    counts: list = field(default_factory=list)  # (label, before, after)
    removed: list = field(default_factory=list)
    added: list = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.removed or self.added or any(a != b for _l, a, b in self.counts))


def _versions(report: Report) -> dict[int, Version]:
    found = {r.revision: Version(r.revision, _("Revision %(n)s", n=r.revision), r.content,
                                 r.checklist, r.narrative) for r in report.revisions}
    if service.shows_working_copy(current_user, report):
        data = service.view(report, current_user)
        found[report.revision] = Version(
            report.revision, _("Revision %(n)s (working copy)", n=report.revision),
            data["content"], data["checklist"], data["narrative"])
    return found


def _lines_of(content: dict) -> dict[str, list[str]]:
    """The content's list items as lines to compare, by section."""
    staffing = [f"{r.get('rule')}{' · ' + r['campus'] if r.get('campus') else ''}: "
                + _("required %(required)s, actual %(actual)s", required=r.get("required"),
                    actual=r.get("actual"))
                + ("" if r.get("compliant") else " · " + _("not met"))
                for r in (content.get("staffing") or {}).get("requirements", [])]
    plans = [f"{plan_label('scenario', p.get('scenario'))} · {plan_label('level', p.get('level'))}"
             f" · {p.get('title')} · v{p.get('version')}" for p in content.get("plans", [])]
    missing = [str(plan_label("scenario", s)) for s in content.get("missing_scenarios", [])]
    activities = [f"{day_text((a.get('held_from') or '')[:10])} · "
                  f"{drill_label('kind', a.get('kind'))}"
                  f" · {a.get('title')}" for a in content.get("activities", [])]
    equipment = [f"{e.get('name')}: {e.get('quantity')}"
                 + (f"/{e['required_quantity']}" if e.get("required_quantity") is not None
                    else "")
                 + "".join(f" · {equipment_label('alert', a)}" for a in e.get("alerts", []))
                 for e in content.get("equipment", [])]
    hazards = [_("No. %(id)s", id=h.get("id")) + f" {h.get('description')} · "
               f"{hazard_label('status', h.get('status'))}"
               + (" · " + _("Overdue") if h.get("overdue") else "")
               for h in (content.get("hazards") or {}).get("items", [])]
    obligations = [f"{i.get('title')}"
                   + (f" · {i['subject']}" if i.get("subject") else "")
                   + f": {compliance_label('status', i.get('status'))}"
                   for i in (content.get("compliance") or {}).get("items", [])
                   if i.get("status") != "ok"]
    return {"staffing": staffing, "plans": plans, "missing": missing,
            "activities": activities, "equipment": equipment, "hazards": hazards,
            "compliance": obligations}


def _difference(before: list[str], after: list[str]) -> tuple[list[str], list[str]]:
    """(removed, added), counting repeated lines."""
    old, new = Counter(before), Counter(after)
    return list((old - new).elements()), list((new - old).elements())


def _unit_fields() -> list[tuple[str, str]]:
    return [("name", _("Name")), ("credit_code", _("Unified social credit code")),
            ("category", _("Category")), ("address", _("Address")),
            ("headcount", _("Headcount")), ("responsible_person", _("Responsible person")),
            ("key_target", _("Key target")), ("key_security_unit", _("Key security unit")),
            ("key_since", _("Key unit since"))]


def _unit_value(name: str, value):
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name == "category":
        return str(unit_label("category", value))
    return value


def _sections(a: dict, b: dict) -> list[Section]:
    old, new = _lines_of(a), _lines_of(b)
    sections = []
    unit_a, unit_b = a.get("unit") or {}, b.get("unit") or {}
    sections.append(Section(_("1. Unit profile"), counts=[
        (text, _unit_value(name, unit_a.get(name)), _unit_value(name, unit_b.get(name)))
        for name, text in _unit_fields() if unit_a.get(name) != unit_b.get(name)]))
    for key, title, count_label in (
            ("staffing", _("2. Staffing against the rules"), _("Rules not met")),
            ("plans", _("3. Emergency plans"), _("Approved plans")),
            ("activities", _("4. Drills and trainings held in the period"),
             _("Drills and trainings")),
            ("equipment", _("5. Emergency equipment"), _("Items"))):
        removed, added = _difference(old[key], new[key])
        if key == "staffing":
            count = (sum(not r.get("compliant") for r in (a.get("staffing") or {})
                         .get("requirements", [])),
                     sum(not r.get("compliant") for r in (b.get("staffing") or {})
                         .get("requirements", [])))
        else:
            count = (len(old[key]), len(new[key]))
        section = Section(title, counts=[(count_label, *count)], removed=removed, added=added)
        if key == "plans":
            gone, came = _difference(old["missing"], new["missing"])
            section.counts.append((_("Scenarios without an approved plan"),
                                   len(old["missing"]), len(new["missing"])))
            section.removed += [_("Missing: %(scenario)s", scenario=s) for s in gone]
            section.added += [_("Missing: %(scenario)s", scenario=s) for s in came]
        sections.append(section)
    ha, hb = a.get("hazards") or {}, b.get("hazards") or {}
    removed, added = _difference(old["hazards"], new["hazards"])
    sections.append(Section(_("6. Hazards"), counts=[
        (_("Found in the period"), ha.get("found"), hb.get("found")),
        (_("Of those rectified"), ha.get("rectified"), hb.get("rectified")),
        (_("Open now"), ha.get("open"), hb.get("open")),
        (_("Overdue"), ha.get("overdue"), hb.get("overdue"))], removed=removed, added=added))
    ca, cb = a.get("compliance") or {}, b.get("compliance") or {}
    removed, added = _difference(old["compliance"], new["compliance"])
    sections.append(Section(_("7. Compliance at the end of the period"), counts=[
        (_("Status"), str(compliance_label("unit_status", ca.get("status"))),
         str(compliance_label("unit_status", cb.get("status")))),
        (_("Obligations not met"), len(old["compliance"]), len(new["compliance"]))],
        removed=removed, added=added))
    return sections


def _checklist_changes(a: list, b: list) -> list[dict]:
    before = {item["id"]: item for item in a}
    changes = []
    for item in b:
        old = before.get(item["id"], {})
        if old.get("answer") != item.get("answer") or \
                (old.get("note") or "") != (item.get("note") or ""):
            changes.append({"id": item["id"], "text": item.get("text"),
                            "before": old.get("answer"), "after": item.get("answer"),
                            "note_before": old.get("note") or "",
                            "note_after": item.get("note") or ""})
    return changes


def _narrative_changes(a: str, b: str) -> list[tuple[str, str]]:
    """The narrative line by line: ("same" | "removed" | "added", line)."""
    old, new = (a or "").splitlines(), (b or "").splitlines()
    rows = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
        if tag == "equal":
            rows += [("same", line) for line in old[i1:i2]]
        else:
            rows += [("removed", line) for line in old[i1:i2]]
            rows += [("added", line) for line in new[j1:j2]]
    return rows


@bp.route("/reports/<int:report_id>/compare")
@login_required
def compare(report_id: int):
    found = service.get_report(current_user, report_id)
    versions = _versions(found)
    numbers = sorted(versions)
    b = request.args.get("b", type=int)
    b = b if b in versions else numbers[-1]
    a = request.args.get("a", type=int)
    if a not in versions or a == b:
        earlier = [n for n in numbers if n < b]
        a = earlier[-1] if earlier else None
    context = {"report": found, "unit": found.unit, "numbers": numbers, "versions": versions,
               "a": a, "b": b}
    if a is None:
        return render_template("reports/compare.html", **context, sections=[],
                               items=[], narrative=[])
    va, vb = versions[a], versions[b]
    narrative = _narrative_changes(va.narrative, vb.narrative)
    return render_template(
        "reports/compare.html", **context, sections=_sections(va.content, vb.content),
        items=_checklist_changes(va.checklist, vb.checklist), narrative=narrative,
        narrative_changed=any(kind != "same" for kind, _line in narrative))


# The police's review queue

@dataclass
class OverduePeriod:
    unit: Unit
    start: date
    end: date
    due: date
    days: int
    report: Report | None

    @property
    def name(self) -> str:
        return periods.name_of(self.start, self.end)


def _jurisdiction_choices() -> list[Jurisdiction]:
    return tree(db.session.scalars(units_service.jurisdictions_query(current_user)).all())


def _queue_filters(choices) -> dict:
    raw = compact({name: form_text(request.args, name, blank=OMIT)
                   for name in ("status", "jurisdiction_id")})
    data, errors = load_form(ReportQueryArgsSchema(), raw)
    if errors:
        data, _errors = load_form(ReportQueryArgsSchema(),
                                  {k: v for k, v in raw.items() if k not in errors})
    data = data or {}
    if data.get("status") == "draft":
        del data["status"]  # the oversight never sees drafts
    if "jurisdiction_id" in data and data["jurisdiction_id"] not in {j.id for j in choices}:
        del data["jurisdiction_id"]  # not one the user oversees: ignored like any bad value
    return data


def _overdue_periods(jurisdiction_id: int | None) -> list[OverduePeriod]:
    """Owed periods whose report is past its due date and not submitted, in the key units in
    scope: most overdue first."""
    stmt = scope.scoped(sa.select(Unit).where(sa.or_(Unit.key_target, Unit.key_security_unit))
                        .options(selectinload(Unit.jurisdiction)), Unit, current_user)
    if jurisdiction_id is not None:
        root = sa.select(Jurisdiction.path).where(Jurisdiction.id == jurisdiction_id) \
            .scalar_subquery()
        stmt = stmt.where(Unit.jurisdiction_id.in_(
            sa.select(Jurisdiction.id).where(Jurisdiction.path.startswith(root))))
    units = db.session.scalars(stmt.order_by(Unit.name, Unit.id)).all()
    reports = {}
    if units:
        for row in db.session.scalars(sa.select(Report).where(
                Report.unit_id.in_([u.id for u in units]), Report.status != "draft")
                .options(defer(Report.content), defer(Report.answers))):
            reports[(row.unit_id, row.period_start)] = row
    found = []
    for unit in units:
        today = today_in(unit)
        for start, end in periods.owed(unit, today):
            due = periods.due(end)
            report = reports.get((unit.id, start))
            if due < today and (report is None or report.status not in DONE):
                found.append(OverduePeriod(unit, start, end, due, (today - due).days, report))
    return sorted(found, key=lambda row: (row.due, row.unit.name, row.unit.id))


@bp.route("/reports")
@login_required
def queue():
    if current_user.unit_id:
        return redirect(url_for("reports_views.unit_reports", unit_id=current_user.unit_id))
    scope.authorize(current_user, "reports.oversee")
    choices = _jurisdiction_choices()
    filters = _queue_filters(choices)
    overdue_view = request.args.get("overdue") == "true"
    counts = {status: count_rows(service.reports_query(current_user,
                                                       {**filters, "status": status}))
              for status in ("submitted", "returned")}
    late = _overdue_periods(filters.get("jurisdiction_id"))
    counts["overdue"] = len(late)
    if overdue_view:
        page = paginate_rows(late)
        submitted = {}
    else:
        order = sa.case(QUEUE_ORDER, value=Report.status, else_=3)
        stmt = service.reports_query(current_user, filters).order_by(None) \
            .order_by(order, Report.period_start.desc(), Report.id) \
            .options(selectinload(Report.unit).selectinload(Unit.jurisdiction))
        page = paginate(stmt)
        submitted = _submitted_at([r.id for r in page.items])
    args = dict(filters)
    where = {"jurisdiction_id": args["jurisdiction_id"]} if "jurisdiction_id" in args else {}

    def tile_link(key: str) -> str:
        if key == "overdue":
            return url_for("reports_views.queue", overdue="true", **where)
        return url_for("reports_views.queue", status=key, **where)

    return render_template(
        "reports/queue.html", page=page, counts=counts, filters=filters, args=args,
        tile_link=tile_link,
        overdue_view=overdue_view, filtered=bool(filters) or overdue_view,
        jurisdictions=jurisdiction_options(choices), submitted_at=submitted,
        statuses=[s for s in labels.STATUS_LABELS if s != "draft"])


# Police inspections

def _inspection_data(form) -> dict:
    findings = [compact({"description": row["description"] or OMIT,
                         "severity": row["severity"] or OMIT,
                         "due_date": row["due_date"] or OMIT,
                         "owner": row["owner"] or OMIT,
                         "order": bool(row.get("order"))}) for row in finding_rows(form, FINDINGS, "order")]
    return compact({"kind": form_text(form, "kind", blank=OMIT),
                    "inspected_on": form_text(form, "inspected_on", blank=OMIT),
                    "summary": long_text(form, "summary", blank=OMIT),
                    "spot_check_id": form_int(form, "spot_check_id", blank=OMIT),
                    "findings": findings})


def _render_inspection_form(unit: Unit, state: FormState):
    check_id = state.value("spot_check_id")
    return render_template(
        "reports/inspection_form.html", unit=unit, form=state,
        kinds=[(k, labels.report_label("kind", k)) for k in INSPECTION_KINDS],
        severities=SEVERITIES, finding_rows=range(FINDINGS.count(state.values)),
        spot_check_id=check_id), state.status


@bp.route("/units/<int:unit_id>/inspections/new", methods=["GET", "POST"])
@login_required
def inspection_new(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    scope.authorize(current_user, "inspections.write")
    if request.method == "GET":
        kind = request.args.get("kind")
        values = {"kind": kind if kind in INSPECTION_KINDS else "regular",
                  "inspected_on": today_in(unit).isoformat()}
        check = request.args.get("spot_check_id", "")
        if check.isdigit():
            values["spot_check_id"] = check
        return _render_inspection_form(unit, FormState(values))
    loaded, errors = load_form(PoliceInspectionSchema(), _inspection_data(request.form))
    if not errors:
        inspection, errors = submit(inspections.inspect, current_user, unit, loaded)
        if not errors:
            count = len(inspection.hazard_ids)
            flash(_("Inspection recorded.") + " " + (
                ngettext("%(num)s finding was added to the unit’s hazard ledger.",
                         "%(num)s findings were added to the unit’s hazard ledger.", count)
                if count else _("No finding was added to the hazard ledger.")), "success")
            return redirect(url_for("reports_views.unit_reports", unit_id=unit.id,
                                    _anchor="inspections"))
    values = FINDINGS.submitted(request.form, finding_rows(request.form, FINDINGS, "order"))
    return _render_inspection_form(unit, FormState(values, errors))


# Random spot checks

def _spot_check_filters(choices) -> dict:
    """The list's filters from the query: a bad or foreign value is ignored, never an error."""
    year, jurisdiction = query_id("year"), query_id("jurisdiction_id")
    return compact({
        "year": year if year and 2000 <= year <= 2100 else OMIT,
        "jurisdiction_id": jurisdiction if jurisdiction in {j.id for j in choices} else OMIT,
        "category": query_choice("category", CATEGORIES) or OMIT,
        "drawn_by": query_text("drawn_by", 64) or OMIT,
    })


def _filtered_spot_checks(stmt: sa.Select, filters: dict) -> sa.Select:
    if "year" in filters:
        zone = ZoneInfo(current_app.config["TIMEZONE"])
        stmt = stmt.where(SpotCheck.drawn_at >= datetime(filters["year"], 1, 1, tzinfo=zone),
                          SpotCheck.drawn_at < datetime(filters["year"] + 1, 1, 1, tzinfo=zone))
    if "jurisdiction_id" in filters:
        root = sa.select(Jurisdiction.path).where(
            Jurisdiction.id == filters["jurisdiction_id"]).scalar_subquery()
        stmt = stmt.where(SpotCheck.jurisdiction_id.in_(
            sa.select(Jurisdiction.id).where(Jurisdiction.path.startswith(root))))
    if "category" in filters:
        stmt = stmt.where(SpotCheck.category == filters["category"])
    if "drawn_by" in filters:
        stmt = stmt.where(SpotCheck.drawn_by == filters["drawn_by"])
    return stmt


def _spot_check_years(base: sa.Select) -> list[int]:
    """From this year back to the year of the first draw in scope, newest first."""
    this_year = datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).year
    first = db.session.scalar(base.order_by(None).with_only_columns(
        sa.func.min(SpotCheck.drawn_at)))
    if isinstance(first, str):
        first = datetime.fromisoformat(first)
    oldest = min(this_year, first.year) if first else this_year
    return list(range(this_year, max(oldest, this_year - 50) - 1, -1))


@bp.route("/spot-checks", methods=["GET", "POST"])
@login_required
def spot_checks():
    scope.authorize(current_user, "spot_checks")
    choices = _jurisdiction_choices()
    state = FormState({"jurisdiction_id": current_user.jurisdiction_id, "count": 5})
    if request.method == "POST":
        data, errors = load_form(SpotCheckSchema(), compact({
            "jurisdiction_id": form_int(request.form, "jurisdiction_id", blank=OMIT),
            "count": form_int(request.form, "count", blank=OMIT),
            "category": form_text(request.form, "category"),
            "seed": form_int(request.form, "seed")}))
        if not errors:
            check, errors = submit(inspections.spot_check, current_user, data)
            if not errors:
                flash(ngettext("%(num)s unit drawn of %(candidates)s with seed %(seed)s.",
                               "%(num)s units drawn of %(candidates)s with seed %(seed)s.",
                               len(check.unit_ids), candidates=len(check.candidate_ids),
                               seed=check.seed), "success")
                return redirect(url_for("reports_views.spot_checks",
                                        _anchor=f"spot-check-{check.id}"))
        state = FormState(request.form, errors)
    base = inspections.spot_checks_query(current_user)
    filters = _spot_check_filters(choices)
    stmt = _filtered_spot_checks(base, filters).order_by(None) \
        .order_by(SpotCheck.id.desc()).options(selectinload(SpotCheck.jurisdiction))
    page = paginate(stmt)
    drawn = {i for check in page.items for i in check.unit_ids}
    units = {u.id: u for u in db.session.scalars(scope.scoped(
        sa.select(Unit).where(Unit.id.in_(drawn)), Unit, current_user))} if drawn else {}
    done = {}
    if page.items:
        for row in db.session.execute(sa.select(
                Inspection.spot_check_id, Inspection.unit_id, Inspection.inspected_on)
                .where(Inspection.spot_check_id.in_([c.id for c in page.items]))
                .order_by(Inspection.id)):
            done[(row.spot_check_id, row.unit_id)] = row.inspected_on
    drawers = db.session.scalars(base.order_by(None).with_only_columns(SpotCheck.drawn_by)
                                 .distinct().order_by(SpotCheck.drawn_by)).all()
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return render_template(
        "reports/spot_checks.html", form=state, page=page, units=units, done=done,
        drawn_time=lambda check: check.drawn_at.astimezone(zone),
        filters=filters, filtered=bool(filters),
        years=[(y, y) for y in _spot_check_years(base)],
        drawers=[(d, d) for d in drawers if d],
        jurisdictions=jurisdiction_options(choices),
        categories=[(c, unit_label("category", c)) for c in CATEGORIES]), state.status
