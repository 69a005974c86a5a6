"""Operations on jurisdictions, units, people and key parts; the staffing evaluation."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_smorest import abort
from sqlalchemy.orm import selectinload

from anbao import scope
from anbao.audit import service as audit
from anbao.extensions import db
from anbao.i18n import gettext as _
from units import rules
from units.models import Campus, Jurisdiction, KeyPart, Person, Unit

UNIT_FIELDS = ("name", "credit_code", "category", "jurisdiction_id", "address", "headcount",
               "key_security_unit", "key_target", "key_since", "responsible_person",
               "timezone", "campuses", "hospital")
PROTECTED_UNIT_FIELDS = ("key_target", "key_security_unit", "key_since", "jurisdiction_id")
PERSON_FIELDS = ("name", "role", "campus", "guard_certificate_no", "phone", "email", "left_on")
KEY_PART_FIELDS = ("name", "kind", "video_linked", "video_retention_days", "barriers",
                   "patrol_per_day")

scope.allow("jurisdictions.read", "admin", "police", "supervisor")
scope.allow("jurisdictions.create", "admin")
scope.allow("units.create", "admin", "police")
scope.allow("units.update", "admin", "police", "coordinator")
scope.allow("units.designate", "admin", "police")
scope.allow("people.write", "admin", "coordinator")
scope.allow("people.read_details", "admin", "police", "supervisor", "coordinator")


def invalid(field: str, message: str):
    abort(422, errors={"json": {field: [message]}})


def today_in(unit: Unit, now: datetime | None = None) -> date:
    """The unit's day now (or at the instant `now`), in its own zone."""
    return (now or datetime.now(ZoneInfo("UTC"))).astimezone(ZoneInfo(unit.timezone)).date()


def _current(unit: Unit) -> sa.ColumnElement[bool]:
    """People still on the roster today: not left, or leaving later."""
    return sa.or_(Person.left_on.is_(None), Person.left_on > today_in(unit))


# Jurisdictions

def jurisdictions_query(actor, parent_id: int | None = None) -> sa.Select:
    scope.authorize(actor, "jurisdictions.read")
    stmt = scope.scoped(sa.select(Jurisdiction).order_by(Jurisdiction.id), Jurisdiction, actor)
    if parent_id is not None:
        stmt = stmt.where(Jurisdiction.parent_id == parent_id)
    return stmt


def create_jurisdiction(actor, data: dict) -> Jurisdiction:
    scope.authorize(actor, "jurisdictions.create")
    parent = None
    if data.get("parent_id") is not None:
        parent = db.session.get(Jurisdiction, data["parent_id"])
        if parent is None:
            invalid("parent_id", _("No such jurisdiction."))
    if db.session.scalar(sa.select(Jurisdiction.id).where(Jurisdiction.code == data["code"])):
        abort(409, message=_("That jurisdiction code is taken."))
    node = Jurisdiction(name=data["name"], code=data["code"], parent=parent)
    db.session.add(node)
    db.session.flush()
    node.path = f"{parent.path if parent else '/'}{node.id}/"
    db.session.flush()
    audit.record(actor, "create", "jurisdiction", node.id, jurisdiction_id=node.id,
                 after=audit.snapshot(node, ("name", "code", "parent_id")))
    return node


# Units

def units_query(actor, filters: dict) -> sa.Select:
    stmt = scope.scoped(sa.select(Unit).order_by(Unit.id).options(selectinload(Unit.campuses)),
                        Unit, actor)
    if (jid := filters.get("jurisdiction_id")) is not None:
        root = sa.select(Jurisdiction.path).where(Jurisdiction.id == jid).scalar_subquery()
        stmt = stmt.where(Unit.jurisdiction_id.in_(
            sa.select(Jurisdiction.id).where(Jurisdiction.path.startswith(root))))
    for flag in ("category", "key_target", "key_security_unit"):
        if flag in filters:
            stmt = stmt.where(getattr(Unit, flag) == filters[flag])
    if filters.get("q"):
        pattern = "%" + filters["q"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(Unit.name.ilike(pattern, escape="\\"))
    return stmt


def _unit_snapshot(unit: Unit) -> dict:
    snap = audit.snapshot(unit, [f for f in UNIT_FIELDS if f != "campuses"])
    snap["campuses"] = [{"name": c.name, "population": c.population,
                         "boarding_students": c.boarding_students} for c in unit.campuses]
    return snap


def _check_jurisdiction(actor, jurisdiction_id: int) -> None:
    if not scope.in_scope(Jurisdiction, jurisdiction_id, actor):
        invalid("jurisdiction_id", _("No such jurisdiction in your scope."))


def _set_campuses(unit: Unit, campuses: list[dict]) -> None:
    """Replace the campus list, keeping campuses (and their people) matched by name."""
    existing = {c.name: c for c in unit.campuses}
    keep = []
    for item in campuses:
        campus = existing.pop(item["name"], None) or Campus(name=item["name"])
        campus.population = item["population"]
        campus.boarding_students = item.get("boarding_students", 0)
        keep.append(campus)
    if existing and unit.id is not None:
        removed = [c.id for c in existing.values()]
        in_use = db.session.scalar(sa.select(Person.id).where(
            Person.campus_id.in_(removed), _current(unit)).limit(1))
        if in_use:
            invalid("campuses", _("A campus that still has people on it cannot be removed."))
        # people who have left keep their record, without the campus that no longer exists
        db.session.execute(sa.update(Person).where(Person.campus_id.in_(removed))
                           .values(campus_id=None),
                           execution_options={"synchronize_session": "fetch"})
    unit.campuses = keep


def _apply(unit: Unit, data: dict) -> None:
    for field in ("name", "credit_code", "category", "jurisdiction_id", "address", "headcount",
                  "key_security_unit", "key_target", "key_since", "responsible_person",
                  "timezone"):
        if field in data:
            setattr(unit, field, data[field])
    if "campuses" in data:
        _set_campuses(unit, data["campuses"])
    if "hospital" in data:
        figures = data["hospital"] or {}
        unit.medical_staff = figures.get("medical_staff")
        unit.beds = figures.get("beds")
        unit.daily_outpatients = figures.get("daily_outpatients")


def _credit_code_free(code: str, unit_id: int | None) -> None:
    clash = db.session.scalar(sa.select(Unit.id).where(Unit.credit_code == code))
    if clash is not None and clash != unit_id:
        abort(409, message=_("A unit with this credit code is already registered."))


def create_unit(actor, data: dict) -> Unit:
    scope.authorize(actor, "units.create")
    _check_jurisdiction(actor, data["jurisdiction_id"])
    _credit_code_free(data["credit_code"], None)
    unit = Unit(timezone=data.get("timezone") or "Asia/Shanghai")
    unit.registered_on = today_in(unit)
    _apply(unit, data)
    if (unit.key_target or unit.key_security_unit) and unit.key_since is None:
        unit.key_since = unit.registered_on
    db.session.add(unit)
    db.session.flush()
    audit.record(actor, "create", "unit", unit.id, after=_unit_snapshot(unit), unit_id=unit.id,
                 jurisdiction_id=unit.jurisdiction_id)
    return unit


def update_unit(actor, unit: Unit, data: dict) -> Unit:
    scope.authorize(actor, "units.update")
    if not scope.may(actor, "units.designate"):
        if touched := [f for f in PROTECTED_UNIT_FIELDS if f in data]:
            abort(403, message=_("Only the police or an admin may change %(fields)s.",
                                 fields=", ".join(touched)))
    if "jurisdiction_id" in data:
        _check_jurisdiction(actor, data["jurisdiction_id"])
    if "credit_code" in data:
        _credit_code_free(data["credit_code"], unit.id)
    category = data.get("category", unit.category)
    if category != "school" and (data["campuses"] if "campuses" in data else unit.campuses):
        invalid("campuses", _("Only schools have campuses."))
    if category != "hospital" and data.get("hospital"):
        invalid("hospital", _("Only hospitals have hospital figures."))
    before = _unit_snapshot(unit)
    was_key = unit.key_target or unit.key_security_unit
    _apply(unit, data)
    if not was_key and (unit.key_target or unit.key_security_unit) and unit.key_since is None:
        unit.key_since = today_in(unit)
    db.session.flush()
    audit.record(actor, "update", "unit", unit.id, before=before, after=_unit_snapshot(unit),
                 unit_id=unit.id, jurisdiction_id=unit.jurisdiction_id)
    return unit


# People

def people_query(actor, unit: Unit, include_left: bool = False) -> sa.Select:
    stmt = (sa.select(Person).where(Person.unit_id == unit.id).order_by(Person.id)
            .options(selectinload(Person.campus_ref)))
    if not include_left:
        stmt = stmt.where(_current(unit))
    return scope.scoped(stmt, Person, actor)


def _campus_id(unit: Unit, name: str | None) -> int | None:
    if not name:
        return None
    for campus in unit.campuses:
        if campus.name == name:
            return campus.id
    invalid("campus", _("Not a campus of this unit."))


def _apply_person(person: Person, unit: Unit, data: dict) -> None:
    for field in ("name", "role", "left_on"):
        if field in data:
            setattr(person, field, data[field])
    for field in ("guard_certificate_no", "phone", "email"):
        if field in data:
            setattr(person, field, data[field] or None)
    if "campus" in data:
        person.campus_id = _campus_id(unit, data["campus"])


def create_person(actor, unit: Unit, data: dict) -> Person:
    scope.authorize(actor, "people.write")
    person = Person(unit_id=unit.id)
    _apply_person(person, unit, data)
    db.session.add(person)
    db.session.flush()
    audit.record(actor, "create", "person", person.id, unit_id=unit.id,
                 after=audit.snapshot(person, PERSON_FIELDS))
    return person


def update_person(actor, person: Person, data: dict) -> Person:
    scope.authorize(actor, "people.write")
    before = audit.snapshot(person, PERSON_FIELDS)
    _apply_person(person, person.unit, data)
    db.session.flush()
    db.session.refresh(person, ["campus_ref"])
    audit.record(actor, "update", "person", person.id, unit_id=person.unit_id, before=before,
                 after=audit.snapshot(person, PERSON_FIELDS))
    return person


# Key parts

def key_parts_query(actor, unit: Unit) -> sa.Select:
    stmt = sa.select(KeyPart).where(KeyPart.unit_id == unit.id).order_by(KeyPart.id)
    return scope.scoped(stmt, KeyPart, actor)


def create_key_part(actor, unit: Unit, data: dict) -> KeyPart:
    scope.authorize(actor, "people.write")
    part = KeyPart(unit_id=unit.id, **data)
    db.session.add(part)
    db.session.flush()
    audit.record(actor, "create", "key_part", part.id, unit_id=unit.id,
                 after=audit.snapshot(part, KEY_PART_FIELDS))
    return part


def update_key_part(actor, part: KeyPart, data: dict) -> KeyPart:
    scope.authorize(actor, "people.write")
    before = audit.snapshot(part, KEY_PART_FIELDS)
    for field, value in data.items():
        setattr(part, field, value)
    db.session.flush()
    audit.record(actor, "update", "key_part", part.id, unit_id=part.unit_id, before=before,
                 after=audit.snapshot(part, KEY_PART_FIELDS))
    return part


# Staffing

def staffing_facts(unit: Unit) -> rules.StaffingFacts:
    """The unit's figures and current roster counts, in two queries."""
    current = _current(unit)
    by_role = dict(db.session.execute(
        sa.select(Person.role, sa.func.count()).where(Person.unit_id == unit.id, current)
        .group_by(Person.role)).all())
    certified = sa.and_(Person.role == "guard", Person.guard_certificate_no.is_not(None),
                        Person.guard_certificate_no != "")
    guards = db.session.execute(
        sa.select(Campus.name, sa.func.count()).select_from(Person)
        .outerjoin(Campus, Person.campus_id == Campus.id)
        .where(Person.unit_id == unit.id, current, certified)
        .group_by(Campus.name)).all()
    return facts_of(unit, by_role, dict(guards))


def facts_of(unit: Unit, by_role: dict[str, int],
             guards_by_campus: dict[str | None, int]) -> rules.StaffingFacts:
    """The staffing facts from the roster counted by role and certified guards by campus
    (None: no campus); the compliance engine counts them for many units at once."""
    return rules.StaffingFacts(
        headcount=unit.headcount, category=unit.category,
        key_security_unit=unit.key_security_unit,
        campuses=tuple(rules.CampusFacts(c.name, c.population, c.boarding_students)
                       for c in unit.campuses),
        hospital=((unit.medical_staff or 0, unit.beds or 0, unit.daily_outpatients or 0)
                  if unit.category == "hospital" and unit.medical_staff is not None else None),
        full_time=by_role.get("security_full_time", 0),
        part_time=by_role.get("security_part_time", 0),
        certified_guards=sum(guards_by_campus.values()),
        certified_guards_by_campus={name: n for name, n in guards_by_campus.items() if name})


def staffing(unit: Unit) -> dict:
    requirements = rules.requirements(staffing_facts(unit))
    return {"compliant": all(r.compliant for r in requirements), "requirements": requirements}
