"""The compliance engine: every obligation of DESIGN.md §3 as of a date, for one unit or a
whole jurisdiction in a fixed number of queries, whatever the number of units."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask_smorest import abort
from sqlalchemy.orm import selectinload

from anbao import scope
from anbao.audit import service as audit
from anbao.extensions import db, utcnow
from anbao.i18n import day_text
from anbao.i18n import gettext as _
from compliance import rules
from compliance.models import RuleSetting
from drills.models import Activity, Outcome
from drills.service import touch_all
from equipment.models import Equipment
from equipment.service import alerts as equipment_alerts
from hazards.models import Hazard
from plans.models import SCENARIOS, Plan
from reports import periods
from reports.models import Report, ReportRevision
from units import rules as staffing_rules
from units import service as units_service
from units.models import Campus, Jurisdiction, Person, Unit

scope.allow("compliance.read", "admin", "police", "supervisor", "coordinator")
scope.allow("compliance.overview", "admin", "police", "supervisor")
scope.allow("compliance.settings", "admin")

BAD_EQUIPMENT = {"below_required", "expired", "inspection_overdue"}


@dataclass
class Item:
    rule: str
    title: str
    clause: str
    status: str
    detail: str
    due_date: date | None = None
    subject: str | None = None


@dataclass
class Result:
    unit: Unit
    as_of: date
    items: list[Item] = field(default_factory=list)

    @property
    def status(self) -> str:
        return rules.unit_status(item.status for item in self.items)

    def count(self, status: str) -> int:
        return sum(item.status == status for item in self.items)


# Settings

def months() -> dict[str, int]:
    """Each periodic rule's interval: an admin's setting, else the default."""
    found = {r.code: r.months for r in rules.RULES.values() if r.months is not None}
    found.update(dict(db.session.execute(sa.select(RuleSetting.rule, RuleSetting.months))
                      .all()))
    return found


def update_months(actor, changes: dict[str, int]) -> dict[str, int]:
    scope.authorize(actor, "compliance.settings")
    before = months()
    for rule, value in changes.items():
        setting = db.session.get(RuleSetting, rule)
        if setting is None:
            db.session.add(RuleSetting(rule=rule, months=value,
                                       updated_by=getattr(actor, "username", "") or ""))
        else:
            setting.months, setting.updated_at = value, utcnow()
            setting.updated_by = getattr(actor, "username", "") or ""
    db.session.flush()
    touch_all()  # coordinators' feeds show the due dates
    after = months()
    audit.record(actor, "update", "rule_settings", None, before=before, after=after)
    return after


# The facts of many units, a query each

def _local_day(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def _latest_cutoff(as_of: date | None) -> datetime:
    """Later than the end of `as_of` in any zone (the exact day is checked per unit)."""
    if as_of is None:
        return utcnow() + timedelta(days=1)
    return datetime.combine(as_of + timedelta(days=2), time(), ZoneInfo("UTC"))


class Facts:
    """What the rules look at, for a list of units, loaded with a fixed number of queries."""

    def __init__(self, units: list[Unit], as_of: date | None):
        ids = [u.id for u in units]
        cutoff = _latest_cutoff(as_of)
        self.months = months()
        self.plans: dict[int, list[Plan]] = defaultdict(list)
        for plan in db.session.scalars(sa.select(Plan).where(
                Plan.unit_id.in_(ids), Plan.status.in_(("approved", "superseded")),
                Plan.approved_at.is_not(None), Plan.approved_at < cutoff)
                .order_by(Plan.approved_at, Plan.id)):
            self.plans[plan.unit_id].append(plan)
        self.held: dict[int, list[tuple]] = defaultdict(list)
        for row in db.session.execute(
                sa.select(Outcome.unit_id, Activity.kind, Activity.scenario, Activity.topic,
                          Outcome.held_from, Outcome.held_to)
                .join(Activity, Activity.id == Outcome.activity_id)
                .where(Outcome.unit_id.in_(ids), Outcome.held_from < cutoff)):
            self.held[row.unit_id].append(row)
        self.equipment: dict[int, list[Equipment]] = defaultdict(list)
        for item in db.session.scalars(sa.select(Equipment).where(Equipment.unit_id.in_(ids))
                                       .order_by(Equipment.id)):
            self.equipment[item.unit_id].append(item)
        # hazards found by then: open now, or rectified since (open on the day looked at)
        self.hazards: dict[int, list[tuple]] = defaultdict(list)
        for row in db.session.execute(
                sa.select(Hazard.unit_id, Hazard.due_date, Hazard.status, Hazard.created_at,
                          Hazard.rectified_at).where(
                    Hazard.unit_id.in_(ids), Hazard.created_at < cutoff,
                    sa.or_(Hazard.status == "open",
                           Hazard.rectified_at >= cutoff - timedelta(days=3) if as_of
                           else sa.false()))):
            self.hazards[row.unit_id].append(row)
        self.staffing = _staffing_facts(units, ids)
        # each report's submitted revisions, oldest first: what was done on which day
        self.reports: dict[int, dict[tuple, list]] = defaultdict(lambda: defaultdict(list))
        for row in db.session.execute(
                sa.select(Report.unit_id, Report.period_start, Report.period_end,
                          ReportRevision.submitted_at, ReportRevision.decision,
                          ReportRevision.reviewed_at)
                .join(ReportRevision, ReportRevision.report_id == Report.id)
                .where(Report.unit_id.in_(ids), ReportRevision.submitted_at < cutoff)
                .order_by(ReportRevision.submitted_at)):
            self.reports[row.unit_id][(row.period_start, row.period_end)].append(row)


def _staffing_facts(units: list[Unit], ids: list[int]) -> dict[int, staffing_rules.StaffingFacts]:
    """GZ-(六) facts of every unit in three queries (the campuses come with the units)."""
    roles: dict[int, dict[str, int]] = defaultdict(dict)
    guards: dict[int, dict[str | None, int]] = defaultdict(dict)
    rows = db.session.execute(
        sa.select(Person.unit_id, Person.role, Person.left_on, Person.guard_certificate_no,
                  Campus.name).outerjoin(Campus, Person.campus_id == Campus.id)
        .where(Person.unit_id.in_(ids))).all()
    today = {u.id: datetime.now(ZoneInfo(u.timezone)).date() for u in units}
    for row in rows:
        if row.left_on is not None and row.left_on <= today[row.unit_id]:
            continue  # left the unit: no longer on the roster
        roles[row.unit_id][row.role] = roles[row.unit_id].get(row.role, 0) + 1
        if row.role == "guard" and row.guard_certificate_no:
            guards[row.unit_id][row.name] = guards[row.unit_id].get(row.name, 0) + 1
    return {unit.id: units_service.facts_of(unit, roles[unit.id], guards[unit.id])
            for unit in units}


# The rules

def _status(due: date, as_of: date) -> str:
    if due < as_of:
        return "overdue"
    if due <= as_of + timedelta(days=rules.SOON_DAYS):
        return "due_soon"
    return "ok"


def _item(code: str, status: str, detail: str, due: date | None = None,
          subject: str | None = None) -> Item:
    rule = rules.RULES[code]
    return Item(code, str(rule.title), rule.clause, status, detail, due, subject)


def _in_force(plans: list[Plan], zone: ZoneInfo, as_of: date) -> dict[tuple, Plan]:
    """The version of each scenario and level approved last on or before `as_of`."""
    found = {}
    for plan in plans:
        if _local_day(plan.approved_at, zone) <= as_of:
            found[(plan.scenario, plan.level)] = plan
    return found


def _began(unit: Unit, rule: rules.Rule) -> date:
    """When an obligation began to apply: one for key units from `key_since` (DESIGN.md §2),
    the others from the unit's registration."""
    if rule.applies != "all" and unit.key_since is not None:
        return unit.key_since
    return unit.registered_on


def _plan_items(unit: Unit, facts: Facts, zone: ZoneInfo, as_of: date) -> list[Item]:
    items = []
    in_force = _in_force(facts.plans[unit.id], zone, as_of)
    covered = {scenario for scenario, _level in in_force}
    key = rules.applies(rules.RULES["PLAN-SET"], unit)
    if key:
        for scenario in SCENARIOS:
            if scenario in covered:
                items.append(_item("PLAN-SET", "ok", _("An approved plan is in force."),
                                   subject=scenario))
            else:
                items.append(_item("PLAN-SET", "missing",
                                   _("No approved plan: write one and have it approved."),
                                   subject=scenario))
    review = facts.months["PLAN-REVIEW"]
    for plan in sorted(in_force.values(), key=lambda p: p.id):
        approved = _local_day(plan.approved_at, zone)
        due = approved + relativedelta(months=review)
        detail = _("Approved on %(date)s; review within %(months)s months.",
                   date=day_text(approved), months=review)
        if plan.review_requested and plan.review_requested_at is not None:
            requested = _local_day(plan.review_requested_at, zone)
            if requested <= as_of:
                due = min(due, requested + timedelta(days=rules.REQUESTED_REVIEW_DAYS))
                detail = _("A drill finding asked on %(date)s for a review within 30 days.",
                           date=day_text(requested))
        items.append(_item("PLAN-REVIEW", _status(due, as_of), detail, due, str(plan.id)))
    if key:
        interval = facts.months["DRILL-PLAN"]
        held = _last_held(facts, unit, zone, as_of, "drill")
        # the obligation began with the scenario's first approved version (a re-approval does
        # not restart it), and not before the unit became a key unit
        first: dict[str, date] = {}
        for plan in facts.plans[unit.id]:  # in order of approval
            first.setdefault(plan.scenario, _local_day(plan.approved_at, zone))
        for scenario in SCENARIOS:
            versions = [p for (s, _level), p in in_force.items() if s == scenario]
            if not versions:
                continue
            every = min(rules.ONSITE_DRILL_MONTHS if p.level == "onsite" else interval
                        for p in versions)
            last = held.get(scenario)
            began = max(first[scenario], _began(unit, rules.RULES["DRILL-PLAN"]))
            due = (last or began) + relativedelta(months=every)
            detail = (_("Last drilled on %(date)s; drill every %(months)s months.",
                        date=day_text(last), months=every) if last else
                      _("Never drilled; drill within %(months)s months of the plan's "
                        "approval.", months=every))
            items.append(_item("DRILL-PLAN", _status(due, as_of), detail, due, scenario))
    return items


def _last_held(facts: Facts, unit: Unit, zone: ZoneInfo, as_of: date,
               kind: str) -> dict[str, date]:
    """The last day each scenario (drills) or topic (trainings) was held, up to `as_of`."""
    last: dict[str, date] = {}
    for row in facts.held[unit.id]:
        if row.kind != kind:
            continue
        day = _local_day(row.held_from, zone)
        subject = row.scenario if kind == "drill" else row.topic
        if day <= as_of and (subject not in last or day > last[subject]):
            last[subject] = day
    return last


def _training_items(unit: Unit, facts: Facts, zone: ZoneInfo, as_of: date) -> list[Item]:
    items = []
    held = _last_held(facts, unit, zone, as_of, "training")
    for code, topic in rules.TRAINING_RULES.items():
        if not rules.applies(rules.RULES[code], unit):
            continue
        every = facts.months[code]
        last = held.get(topic)
        due = (last or _began(unit, rules.RULES[code])) + relativedelta(months=every)
        detail = (_("Last held on %(date)s; hold one every %(months)s months.",
                    date=day_text(last), months=every) if last else
                  _("Never held; due %(months)s months after the rule began to apply.",
                    months=every))
        items.append(_item(code, _status(due, as_of), detail, due))
    return items


def _equipment_item(unit: Unit, facts: Facts, as_of: date) -> Item:
    found = [(item, equipment_alerts(item, as_of)) for item in facts.equipment[unit.id]]
    bad = [item.name for item, alerts in found if set(alerts) & BAD_EQUIPMENT]
    if bad:
        return _item("EQUIPMENT", "non_compliant",
                     _("Short, expired or past inspection: %(items)s.", items="、".join(bad)))
    soon = [item for item, alerts in found if alerts]
    if soon:
        due = min(d for item in soon for d in (item.expires_on, item.next_inspection_on)
                  if d is not None and d >= as_of)
        return _item("EQUIPMENT", "due_soon",
                     _("Expiring or due for inspection within 30 days: %(items)s.",
                       items="、".join(item.name for item in soon)), due)
    if not found:
        return _item("EQUIPMENT", "ok", _("No equipment recorded."))
    return _item("EQUIPMENT", "ok", _("All items complete, in date and inspected."))


def _open_on(row, zone: ZoneInfo, as_of: date) -> bool:
    """Whether a hazard was open on the day: found by then, and still open or rectified
    later (a rectified one awaits verification and no longer counts, DESIGN.md §3)."""
    if _local_day(row.created_at, zone) > as_of:
        return False
    return row.status == "open" or _local_day(row.rectified_at, zone) > as_of


def _hazard_item(unit: Unit, facts: Facts, zone: ZoneInfo, as_of: date) -> Item:
    dues = sorted(row.due_date for row in facts.hazards[unit.id] if _open_on(row, zone, as_of))
    if not dues:
        return _item("HAZARD", "ok", _("No open hazard."))
    late = [d for d in dues if d < as_of]
    if late:
        return _item("HAZARD", "overdue", _("%(count)s open hazards are past their due date.",
                                            count=len(late)), late[0])
    return _item("HAZARD", _status(dues[0], as_of),
                 _("%(count)s open hazards; the next is due on %(date)s.", count=len(dues),
                   date=day_text(dues[0])), dues[0])


def _report_items(unit: Unit, facts: Facts, zone: ZoneInfo, as_of: date) -> list[Item]:
    """One item per period owed up to the one containing `as_of` (DESIGN.md §3 REPORT): done
    when, as of that day, its last submitted revision had not been returned."""
    items = []
    months = periods.months_of(unit)
    for start, end in periods.owed(unit, as_of):
        due = periods.due(end)
        name = periods.code(start, months)
        sent = [r for r in facts.reports[unit.id][(start, end)]
                if _local_day(r.submitted_at, zone) <= as_of]
        last = sent[-1] if sent else None
        returned = last is not None and last.decision == "return" and \
            _local_day(last.reviewed_at, zone) <= as_of
        if last is not None and not returned:
            submitted = day_text(_local_day(last.submitted_at, zone))
            items.append(_item("REPORT", "ok", _("Submitted on %(date)s.", date=submitted),
                               due, name))
            continue
        detail = (_("Returned by the police: revise it and submit it again.") if returned else
                  _("The report for %(start)s – %(end)s is due on %(date)s.", start=day_text(start),
                    end=day_text(end), date=day_text(due)))
        items.append(_item("REPORT", _status(due, as_of), detail, due, name))
    return items


def _staffing_item(unit: Unit, facts: Facts) -> Item:
    short = [r for r in staffing_rules.requirements(facts.staffing[unit.id]) if not r.compliant]
    if short:
        return _item("STAFFING", "non_compliant", " ".join(r.explanation for r in short))
    return _item("STAFFING", "ok", _("Every staffing rule is met."))


def evaluate(units: list[Unit], as_of: date | None = None,
             at: datetime | None = None) -> list[Result]:
    """Every unit's items as of the day (default: the day of the instant `at`, or now, in
    each unit's zone)."""
    facts = Facts(units, as_of or (at.date() if at else None))
    results = []
    for unit in units:
        zone = ZoneInfo(unit.timezone)
        day = as_of or (at or utcnow()).astimezone(zone).date()
        result = Result(unit, day)
        result.items += _plan_items(unit, facts, zone, day)
        result.items += _training_items(unit, facts, zone, day)
        result.items += _report_items(unit, facts, zone, day)
        result.items.append(_equipment_item(unit, facts, day))
        result.items.append(_hazard_item(unit, facts, zone, day))
        result.items.append(_staffing_item(unit, facts))
        results.append(result)
    return results


def unit_compliance(actor, unit: Unit, as_of: date | None) -> Result:
    scope.authorize(actor, "compliance.read")
    return evaluate([unit], as_of)[0]


def overview(actor, filters: dict) -> list[Result]:
    """One result per unit in scope (and under `jurisdiction_id`), ascending id."""
    scope.authorize(actor, "compliance.overview")
    stmt = sa.select(Unit).order_by(Unit.id).options(selectinload(Unit.campuses))
    if "jurisdiction_id" in filters:
        root = db.session.get(Jurisdiction, filters["jurisdiction_id"])
        if root is None or not scope.in_scope(Jurisdiction, root.id, actor):
            abort(422, errors={"query": {"jurisdiction_id": [
                _("Not a jurisdiction you oversee.")]}})
        stmt = stmt.where(Unit.jurisdiction_id.in_(sa.select(Jurisdiction.id).where(
            Jurisdiction.path.startswith(root.path, autoescape=True))))
    units = db.session.scalars(scope.scoped(stmt, Unit, actor)).all()
    results = evaluate(units, filters.get("as_of"))
    if "status" in filters:
        results = [r for r in results if r.status == filters["status"]]
    return results
