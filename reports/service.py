"""Self-inspection reports: assembled for a period, answered and narrated by the unit's
coordinator, submitted (a frozen revision with its SHA-256), reviewed by the police (accepted,
or returned and revised as a new revision); who of the oversight opened which revision."""
import hashlib
import json
from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import get_locale
from flask_smorest import abort
from sqlalchemy.orm import defer, selectinload

from anbao import scope
from anbao.audit import service as audit
from anbao.auth.models import User
from anbao.extensions import db, dialect_insert, utcnow
from anbao.i18n import gettext as _
from anbao.outbox import service as outbox
from reports import assemble, checklist, periods
from reports.models import Report, ReportRead, ReportRevision
from units import service as units_service
from units.models import Jurisdiction, Unit

scope.allow("reports.read", "admin", "police", "supervisor", "coordinator")
scope.allow("reports.write", "coordinator")
scope.allow("reports.review", "police")
scope.allow("reports.oversee", "admin", "police", "supervisor")
OVERSIGHT = ("police", "supervisor")
EDITABLE = ("draft", "returned")


def invalid(field: str, message, **more):
    abort(422, errors={"json": {field: [message] if isinstance(message, str) else message},
                       **more})


def conflict(message: str):
    abort(409, message=message)


def canonical(content, checklist_, narrative) -> bytes:
    """The bytes a revision's SHA-256 is taken over (API.md "Reports")."""
    return json.dumps({"content": content, "checklist": checklist_, "narrative": narrative},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sha256_of(content, checklist_, narrative) -> str:
    return hashlib.sha256(canonical(content, checklist_, narrative)).hexdigest()


def _language() -> str:
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh_CN"


# Reading

def reports_query(actor, filters: dict, unit: Unit | None = None) -> sa.Select:
    """Reports in scope, ascending id; the oversight never sees a draft."""
    scope.authorize(actor, "reports.read" if unit is not None else "reports.oversee")
    # a list shows each report's unit name (loaded with the page, not a query per row) and
    # no content (the assembled JSON stays in the database)
    stmt = sa.select(Report).order_by(Report.id).options(
        selectinload(Report.unit), defer(Report.content), defer(Report.answers))
    if unit is not None:
        stmt = stmt.where(Report.unit_id == unit.id)
    if actor.role in OVERSIGHT or (unit is None and actor.role == "admin"):
        stmt = stmt.where(Report.status != "draft")
    if filters.get("status"):
        stmt = stmt.where(Report.status == filters["status"])
    if filters.get("jurisdiction_id") is not None:
        root = db.session.get(Jurisdiction, filters["jurisdiction_id"])
        if root is None or not scope.in_scope(Jurisdiction, root.id, actor):
            abort(422, errors={"query": {"jurisdiction_id": [
                _("Not a jurisdiction you oversee.")]}})
        stmt = stmt.where(Report.unit_id.in_(sa.select(Unit.id).where(
            Unit.jurisdiction_id.in_(sa.select(Jurisdiction.id).where(
                Jurisdiction.path.startswith(root.path, autoescape=True))))))
    return scope.scoped(stmt, Report, actor)


def get_report(actor, report_id: int) -> Report:
    """A report in scope (404 otherwise; a draft is 404 for the oversight) that the actor's
    role may read (403 otherwise)."""
    report = scope.get_or_404(Report, report_id, actor)
    if report.status == "draft" and actor.role in OVERSIGHT:
        abort(404)
    scope.authorize(actor, "reports.read")
    return report


def checklist_of(report: Report) -> list[dict]:
    if report.status in EDITABLE:
        return checklist.shown(report.answers)
    return report.revisions[-1].checklist


def shows_working_copy(actor, report: Report) -> bool:
    """The unit's people see the revision being written; the oversight only what was
    submitted (a returned report's edits are a draft to them)."""
    return report.status in EDITABLE and (actor is None or actor.role not in OVERSIGHT)


def view(report: Report, actor=None) -> dict:
    """The report as the API gives it: a submitted or accepted one exactly as frozen; to the
    police and supervisors a returned one as last submitted."""
    frozen = None if shows_working_copy(actor, report) else report.revisions[-1]
    last = report.revisions[-1] if report.revisions else None
    review = None
    if last is not None and last.decision is not None:
        review = {"decision": last.decision, "comment": last.comment,
                  "reviewer": last.reviewer,
                  "reviewed_at": last.reviewed_at.astimezone(
                      ZoneInfo(report.unit.timezone)).isoformat()}
    return {
        "id": report.id, "unit_id": report.unit_id, "unit": report.unit,
        "period_start": report.period_start, "period_end": report.period_end,
        "revision": report.revision, "status": report.status,
        "content": frozen.content if frozen else report.content,
        "checklist": frozen.checklist if frozen else checklist.shown(report.answers),
        "narrative": frozen.narrative if frozen else report.narrative,
        "submitted_at": frozen.submitted_at if frozen else None,
        "submitted_by": frozen.submitted_by if frozen else None,
        "sha256": frozen.sha256 if frozen else None,
        "review": review,
    }


def note_read(actor, report: Report, every: bool = False) -> None:
    """The oversight opened the report: the revision they see (or, `every`, each revision
    shown) is read by them; the first time is kept."""
    if actor.role not in OVERSIGHT or not report.revisions:
        return
    now = utcnow()
    rows = [{"revision_id": revision.id, "unit_id": report.unit_id, "user_id": actor.id,
             "username": actor.username, "at": now}
            for revision in (report.revisions if every else report.revisions[-1:])]
    statement = dialect_insert(ReportRead.__table__).values(rows)
    db.session.execute(statement.on_conflict_do_nothing(
        index_elements=["revision_id", "user_id"]))


# Writing

def create_report(actor, unit: Unit, start: date, end: date) -> Report:
    scope.authorize(actor, "reports.write")
    if periods.months_of(unit) is None:
        invalid("period_start", _("This unit is not a key unit and owes no report."))
    if not periods.is_period(unit, start, end):
        invalid("period_start", _("A report covers a calendar quarter (key targets) or a "
                                  "calendar half year (other key security units)."))
    if start > units_service.today_in(unit):
        invalid("period_start", _("The period has not begun yet."))
    if db.session.scalar(sa.select(Report.id).where(Report.unit_id == unit.id,
                                                    Report.period_start == start,
                                                    Report.period_end == end)):
        conflict(_("A report for this period exists already."))
    report = Report(unit_id=unit.id, unit=unit, period_start=start, period_end=end,
                    status="draft", revision=1, answers={}, narrative="",
                    content=assemble.content(unit, start, end), language=_language(),
                    created_by=actor.username or "")
    db.session.add(report)
    db.session.flush()
    audit.record(actor, "create", "report", report.id, unit_id=unit.id,
                 after={"period_start": start, "period_end": end})
    return report


def _editable(actor, report: Report) -> None:
    scope.authorize(actor, "reports.write")
    if report.status not in EDITABLE:
        conflict(_("The report is %(status)s and can no longer be changed.",
                   status=report.status))


def update_report(actor, report: Report, data: dict) -> Report:
    _editable(actor, report)
    before = {"narrative": report.narrative, "checklist": report.answers}
    if "narrative" in data:
        report.narrative = data["narrative"]
    if "checklist" in data:
        answers = dict(report.answers)
        for item_id, answer in data["checklist"].items():
            answers[item_id] = {"answer": answer["answer"], "note": answer.get("note") or ""}
        report.answers = answers
    db.session.flush()
    audit.record(actor, "update", "report", report.id, unit_id=report.unit_id, before=before,
                 after={"narrative": report.narrative, "checklist": report.answers})
    return report


def refresh(actor, report: Report) -> Report:
    _editable(actor, report)
    report.content = assemble.content(report.unit, report.period_start, report.period_end)
    report.language, report.assembled_at = _language(), utcnow()
    db.session.flush()
    audit.record(actor, "refresh", "report", report.id, unit_id=report.unit_id)
    return report


def submit(actor, report: Report) -> Report:
    _editable(actor, report)
    missing = checklist.unanswered(report.answers)
    if missing:
        invalid("checklist", {item_id: [_("Answer yes, no or not applicable.")]
                              for item_id in missing})
    items = checklist.shown(report.answers)
    now = utcnow()
    revision = ReportRevision(
        report_id=report.id, unit_id=report.unit_id, revision=report.revision,
        content=report.content, checklist=items, narrative=report.narrative,
        sha256=sha256_of(report.content, items, report.narrative), submitted_at=now,
        submitted_by=actor.username or "")
    db.session.add(revision)
    report.status = "submitted"
    db.session.flush()
    db.session.expire(report, ["revisions"])
    audit.record(actor, "submit", "report", report.id, unit_id=report.unit_id,
                 detail={"revision": revision.revision, "sha256": revision.sha256})
    _tell_police(report, revision, now)
    return report


def review(actor, report: Report, decision: str, comment: str) -> Report:
    scope.authorize(actor, "reports.review")
    if report.status != "submitted":
        conflict(_("Only a submitted report can be reviewed."))
    if decision == "return" and not comment.strip():
        invalid("comment", _("Say what the unit must change."))
    revision = report.revisions[-1]
    now = utcnow()
    revision.decision, revision.comment = decision, comment
    revision.reviewer, revision.reviewed_at = actor.username, now
    if decision == "accept":
        report.status = "accepted"
    else:
        # the working revision: editable, starting from what was submitted
        report.status, report.revision = "returned", report.revision + 1
    db.session.flush()
    audit.record(actor, decision, "report", report.id, unit_id=report.unit_id,
                 detail={"revision": revision.revision, "comment": comment})
    _tell_coordinators(report, revision, now)
    return report


# Who is told

def _police_of(unit: Unit) -> list[User]:
    path = db.session.scalar(sa.select(Jurisdiction.path).where(
        Jurisdiction.id == unit.jurisdiction_id))
    police = db.session.execute(
        sa.select(User, Jurisdiction.path).join(Jurisdiction,
                                                Jurisdiction.id == User.jurisdiction_id)
        .where(User.role == "police", User.active.is_(True)).order_by(User.id)).all()
    return [user for user, root in police if path is not None and path.startswith(root)]


def _tell_police(report: Report, revision: ReportRevision, now) -> None:
    link = outbox.link("reports_views.report", report_id=report.id)
    for user in _police_of(report.unit):
        outbox.notify(outbox.of_user(user), "report_submitted", f"report:{report.id}",
                      f"revision:{revision.revision}", now=now, unit_id=report.unit_id,
                      link=link, report=report, unit=report.unit, revision=revision)


def _tell_coordinators(report: Report, revision: ReportRevision, now) -> None:
    link = outbox.link("reports_views.report", report_id=report.id)
    for recipient in outbox.coordinators([report.unit_id]).get(report.unit_id, []):
        outbox.notify(recipient, "report_reviewed", f"report:{report.id}",
                      f"revision:{revision.revision}", now=now, unit_id=report.unit_id,
                      link=link, report=report, unit=report.unit, revision=revision)
