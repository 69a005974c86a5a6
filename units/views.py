"""Pages for jurisdictions, units, people and key parts."""
import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from anbao import scope
from anbao.auth.models import User
from anbao.extensions import db
from anbao.forms import (OMIT, Errors, FormState, Rows, compact, form_bool, form_int,
                         form_text, load_form, paginate, paginate_rows, query_choice,
                         query_text, submit)
from units import labels, service
from units.models import Jurisdiction, KeyPart, Person, Unit
from units.schemas import (JurisdictionSchema, KeyPartSchema, KeyPartUpdateSchema,
                           PersonSchema, PersonUpdateSchema, UnitQueryArgsSchema, UnitSchema,
                           UnitUpdateSchema)

bp = Blueprint("units_views", __name__)
bp.app_context_processor(labels.template_labels)

TIMEZONE_CHOICES = ("Asia/Shanghai", "Asia/Urumqi", "Asia/Hong_Kong", "Asia/Macau",
                    "Asia/Taipei", "UTC")
HOSPITAL_FIGURES = ("medical_staff", "beds", "daily_outpatients")
CAMPUSES = Rows("campuses", ("name", "population", "boarding_students"), spare=2)
FLAG_VALUES = {"true": True, "false": False}


def _jurisdiction_choices() -> list[Jurisdiction]:
    """Jurisdictions the current user may place a unit in, in tree order."""
    return tree(db.session.scalars(service.jurisdictions_query(current_user)).all())


def jurisdiction_options(nodes: list[Jurisdiction]) -> list[tuple[int, str]]:
    """(id, name indented by depth) for a select."""
    return [(node.id, "\u3000" * node.depth + node.name) for node in nodes]


def tree(nodes: list[Jurisdiction]) -> list[Jurisdiction]:
    """The nodes depth first, siblings by code; `depth` counts from the top shown node."""
    ids = {n.id for n in nodes}
    children: dict[int | None, list[Jurisdiction]] = {}
    for node in nodes:
        children.setdefault(node.parent_id if node.parent_id in ids else None, []).append(node)
    ordered = []

    def walk(parent_id, depth):
        for node in sorted(children.get(parent_id, []), key=lambda n: n.code):
            node.depth = depth
            ordered.append(node)
            walk(node.id, depth + 1)
    walk(None, 0)
    return ordered


# Units

def _unit_filters() -> dict:
    """The list's GET filters, loaded through the API's query schema; invalid ones dropped."""
    raw = compact({
        "jurisdiction_id": form_int(request.args, "jurisdiction_id", blank=OMIT),
        "category": form_text(request.args, "category", blank=OMIT),
        "key_target": FLAG_VALUES.get(request.args.get("key_target"), OMIT),
        "key_security_unit": FLAG_VALUES.get(request.args.get("key_security_unit"), OMIT),
        "q": form_text(request.args, "q", blank=OMIT),
    })
    data, errors = load_form(UnitQueryArgsSchema(), raw)
    if errors:
        data, _errors = load_form(UnitQueryArgsSchema(),
                                  {k: v for k, v in raw.items() if k not in errors})
    return data or {}


@bp.route("/units")
@login_required
def units():
    if current_user.unit_id:
        return redirect(url_for("units_views.unit", unit_id=current_user.unit_id))
    filters = _unit_filters()
    stmt = service.units_query(current_user, filters).options(selectinload(Unit.jurisdiction))
    page = paginate(stmt)
    return render_template(
        "units/list.html", page=page, filters=filters, filtered=bool(filters),
        jurisdictions=_jurisdiction_choices() if scope.may(current_user, "jurisdictions.read")
        else [], may_create=scope.may(current_user, "units.create"))


def _campus_rows(form) -> list[dict]:
    """The filled campus rows of the form, in order."""
    rows = []
    for i in CAMPUSES.indices(form):
        row = compact({
            "name": form_text(form, f"campuses-{i}-name", blank=""),
            "population": form_int(form, f"campuses-{i}-population", blank=OMIT),
            "boarding_students": form_int(form, f"campuses-{i}-boarding_students", blank=OMIT),
        })
        if row != {"name": ""}:
            rows.append(row)
    return rows


def _unit_data(form, *, creating: bool, designate: bool) -> dict:
    """The form as the JSON body the API takes; fields left empty are not sent on create."""
    keep = OMIT if creating else ""
    data = {
        "name": form_text(form, "name", blank=keep),
        "credit_code": form_text(form, "credit_code", blank=keep),
        "category": form_text(form, "category", blank=OMIT),
        "address": form_text(form, "address", blank=""),
        "headcount": form_int(form, "headcount", blank=OMIT),
        "responsible_person": form_text(form, "responsible_person", blank=""),
        "timezone": form_text(form, "timezone", blank=OMIT),
    }
    if designate:
        data.update({
            "jurisdiction_id": form_int(form, "jurisdiction_id", blank=OMIT),
            "key_security_unit": form_bool(form, "key_security_unit"),
            "key_target": form_bool(form, "key_target"),
            "key_since": form_text(form, "key_since", blank=OMIT),
        })
    campuses = _campus_rows(form)
    if campuses or data["category"] == "school" or not creating:
        data["campuses"] = campuses
    hospital = compact({k: form_int(form, f"hospital-{k}", blank=OMIT)
                        for k in HOSPITAL_FIGURES})
    if hospital:
        data["hospital"] = hospital
    elif not creating or data["category"] == "hospital":
        data["hospital"] = None
    return compact(data)


def _unit_values(unit: Unit) -> dict:
    values = {f: getattr(unit, f) for f in (
        "name", "credit_code", "category", "jurisdiction_id", "address", "headcount",
        "key_security_unit", "key_target", "responsible_person", "timezone", "version")}
    values["key_since"] = unit.key_since.isoformat() if unit.key_since else ""
    for i, campus in enumerate(unit.campuses):
        values.update({f"campuses-{i}-name": campus.name,
                       f"campuses-{i}-population": campus.population,
                       f"campuses-{i}-boarding_students": campus.boarding_students})
    for figure in HOSPITAL_FIGURES:
        values[f"hospital-{figure}"] = getattr(unit, figure)
    return values


def _render_unit_form(unit, state: FormState, designate: bool):
    return render_template(
        "units/form.html", unit=unit, form=state, designate=designate,
        jurisdiction_options=jurisdiction_options(_jurisdiction_choices()) if designate else [],
        timezone_options=[(z, z) for z in _timezones(state.value("timezone", "Asia/Shanghai"))],
        campus_rows=range(CAMPUSES.count(state.values))), state.status


def _timezones(current: str) -> tuple[str, ...]:
    return TIMEZONE_CHOICES if current in TIMEZONE_CHOICES else (current, *TIMEZONE_CHOICES)


@bp.route("/units/new", methods=["GET", "POST"])
@login_required
def unit_new():
    scope.authorize(current_user, "units.create")
    if request.method == "GET":
        default = {"timezone": "Asia/Shanghai", "category": "enterprise",
                   "jurisdiction_id": current_user.jurisdiction_id}
        return _render_unit_form(None, FormState(default), designate=True)
    data, errors = load_form(UnitSchema(), _unit_data(request.form, creating=True,
                                                      designate=True))
    if not errors:
        unit, errors = submit(service.create_unit, current_user, data)
        if not errors:
            flash(_("Unit “%(name)s” registered.", name=unit.name), "success")
            return redirect(url_for("units_views.unit", unit_id=unit.id))
    return _render_unit_form(None, FormState(CAMPUSES.submitted(request.form, _campus_rows(request.form)), errors),
                             designate=True)


@bp.route("/units/<int:unit_id>")
@login_required
def unit(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    key_parts = db.session.scalars(service.key_parts_query(current_user, unit)).all()
    people_count = db.session.scalar(sa.select(sa.func.count()).select_from(
        service.people_query(current_user, unit).order_by(None).subquery()))
    return render_template(
        "units/detail.html", unit=unit, staffing=service.staffing(unit), key_parts=key_parts,
        people_count=people_count, may_edit=scope.may(current_user, "units.update"),
        may_write_people=scope.may(current_user, "people.write"))


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@login_required
def unit_edit(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    scope.authorize(current_user, "units.update")
    designate = scope.may(current_user, "units.designate")
    if request.method == "GET":
        return _render_unit_form(unit, FormState(_unit_values(unit)), designate)
    values = CAMPUSES.submitted(request.form, _campus_rows(request.form))
    if request.form.get("version") != str(unit.version):
        flash(_("Someone else changed this unit meanwhile. Check the current values and "
                "save again."), "error")
        return _render_unit_form(unit, FormState({**values, "version": unit.version},
                                                 Errors({"_form": []}, 409)), designate)
    data, errors = load_form(UnitUpdateSchema(), _unit_data(request.form, creating=False,
                                                            designate=designate))
    if not errors:
        _result, errors = submit(service.update_unit, current_user, unit, data)
        if not errors:
            flash(_("Unit saved."), "success")
            return redirect(url_for("units_views.unit", unit_id=unit.id))
    return _render_unit_form(db.session.get(Unit, unit_id), FormState(values, errors), designate)


# People

def _person_data(form, unit: Unit, *, creating: bool) -> dict:
    data = {
        "name": form_text(form, "name", blank=OMIT if creating else ""),
        "role": form_text(form, "role", blank=OMIT),
        "campus": form_text(form, "campus", blank=None) if unit.campuses else OMIT,
        "guard_certificate_no": form_text(form, "guard_certificate_no", blank=None),
        "phone": form_text(form, "phone", blank=None),
        "email": form_text(form, "email", blank=None),
    }
    return compact(data)


def _people_filters() -> dict:
    """The roster's GET filters: a role and part of a name; unknown values are ignored."""
    return compact({
        "role": query_choice("role", labels.PERSON_ROLE_LABELS) or OMIT,
        "q": query_text("q") or OMIT,
    })


@bp.route("/units/<int:unit_id>/people")
@login_required
def people(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    include_left = request.args.get("include_left") in ("1", "true", "on")
    filters = _people_filters()
    stmt = service.people_query(current_user, unit, include_left) \
        .options(selectinload(Person.campus_ref))
    if "role" in filters:
        stmt = stmt.where(Person.role == filters["role"])
    if "q" in filters:
        stmt = stmt.where(Person.name.icontains(filters["q"], autoescape=True))
    page = paginate(stmt)
    details = scope.may(current_user, "people.read_details")
    accounts = {}
    if details and page.items:
        accounts = dict(db.session.execute(sa.select(User.person_id, User.username).where(
            User.person_id.in_([p.id for p in page.items]))).all())
    return render_template(
        "units/people.html", unit=unit, page=page, include_left=include_left, details=details,
        accounts=accounts, today=service.today_in(unit), filters=filters,
        filtered=bool(filters), may_write=scope.may(current_user, "people.write"))


def _render_person_form(unit, person, state: FormState, leave: FormState | None = None):
    status = max(state.status, leave.status if leave else 200)
    return render_template("units/person_form.html", unit=unit, person=person, form=state,
                           leave=leave or FormState(),
                           campus_options=[(c.name, c.name) for c in unit.campuses]), status


@bp.route("/units/<int:unit_id>/people/new", methods=["GET", "POST"])
@login_required
def person_new(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    scope.authorize(current_user, "people.write")
    if request.method == "GET":
        return _render_person_form(unit, None, FormState({"role": "security_full_time"}))
    data, errors = load_form(PersonSchema(), _person_data(request.form, unit, creating=True))
    if not errors:
        person, errors = submit(service.create_person, current_user, unit, data)
        if not errors:
            flash(_("%(name)s added to the roster.", name=person.name), "success")
            return redirect(url_for("units_views.people", unit_id=unit.id))
    return _render_person_form(unit, None, FormState(request.form, errors))


def _person_values(person: Person) -> dict:
    return {"name": person.name, "role": person.role, "campus": person.campus or "",
            "guard_certificate_no": person.guard_certificate_no, "phone": person.phone,
            "email": person.email}


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@login_required
def person_edit(person_id: int):
    person = scope.get_or_404(Person, person_id, current_user)
    scope.authorize(current_user, "people.write")
    unit = person.unit
    if request.method == "GET":
        return _render_person_form(unit, person, FormState(_person_values(person)))
    data, errors = load_form(PersonUpdateSchema(),
                             _person_data(request.form, unit, creating=False))
    if not errors:
        _result, errors = submit(service.update_person, current_user, person, data)
        if not errors:
            flash(_("Changes to %(name)s saved.", name=person.name), "success")
            return redirect(url_for("units_views.people", unit_id=unit.id))
    return _render_person_form(unit, db.session.get(Person, person_id),
                               FormState(request.form, errors))


@bp.route("/people/<int:person_id>/leave", methods=["POST"])
@login_required
def person_leave(person_id: int):
    """Record the day a person leaves the unit; people are never deleted."""
    person = scope.get_or_404(Person, person_id, current_user)
    scope.authorize(current_user, "people.write")
    data, errors = load_form(PersonUpdateSchema(),
                             {"left_on": form_text(request.form, "left_on", blank="")})
    if not errors:
        _result, errors = submit(service.update_person, current_user, person, data)
        if not errors:
            flash(_("Leaving of %(name)s recorded.", name=person.name), "success")
            return redirect(url_for("units_views.people", unit_id=person.unit_id,
                                    include_left=1))
    person = db.session.get(Person, person_id)
    return _render_person_form(person.unit, person, FormState(_person_values(person)),
                               FormState(request.form, errors))


# Key parts

def _key_part_data(form, *, creating: bool) -> dict:
    count_blank = OMIT if creating else None
    return compact({
        "name": form_text(form, "name", blank=OMIT if creating else ""),
        "kind": form_text(form, "kind", blank=""),
        "video_linked": form_bool(form, "video_linked"),
        "video_retention_days": form_int(form, "video_retention_days", blank=count_blank),
        "barriers": form_text(form, "barriers", blank=""),
        "patrol_per_day": form_int(form, "patrol_per_day", blank=count_blank),
    })


def _render_key_part_form(unit, part, state: FormState):
    return render_template("units/key_part_form.html", unit=unit, part=part,
                           form=state), state.status


@bp.route("/units/<int:unit_id>/key-parts/new", methods=["GET", "POST"])
@login_required
def key_part_new(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    scope.authorize(current_user, "people.write")
    if request.method == "GET":
        return _render_key_part_form(unit, None, FormState())
    data, errors = load_form(KeyPartSchema(), _key_part_data(request.form, creating=True))
    if not errors:
        part, errors = submit(service.create_key_part, current_user, unit, data)
        if not errors:
            flash(_("Key part “%(name)s” added.", name=part.name), "success")
            return redirect(url_for("units_views.unit", unit_id=unit.id, _anchor="key-parts"))
    return _render_key_part_form(unit, None, FormState(request.form, errors))


@bp.route("/key-parts/<int:key_part_id>/edit", methods=["GET", "POST"])
@login_required
def key_part_edit(key_part_id: int):
    part = scope.get_or_404(KeyPart, key_part_id, current_user)
    scope.authorize(current_user, "people.write")
    unit = part.unit
    if request.method == "GET":
        values = {f: getattr(part, f) for f in service.KEY_PART_FIELDS}
        return _render_key_part_form(unit, part, FormState(values))
    data, errors = load_form(KeyPartUpdateSchema(), _key_part_data(request.form, creating=False))
    if not errors:
        _result, errors = submit(service.update_key_part, current_user, part, data)
        if not errors:
            flash(_("Key part saved."), "success")
            return redirect(url_for("units_views.unit", unit_id=unit.id, _anchor="key-parts"))
    return _render_key_part_form(unit, db.session.get(KeyPart, key_part_id),
                                 FormState(request.form, errors))


# Jurisdictions

@bp.route("/jurisdictions", methods=["GET", "POST"])
@login_required
def jurisdictions():
    scope.authorize(current_user, "jurisdictions.read")
    state = FormState()
    if request.method == "POST":
        scope.authorize(current_user, "jurisdictions.create")
        data, errors = load_form(JurisdictionSchema(), compact({
            "name": form_text(request.form, "name", blank=OMIT),
            "code": form_text(request.form, "code", blank=OMIT),
            "parent_id": form_int(request.form, "parent_id", blank=None)}))
        if not errors:
            node, errors = submit(service.create_jurisdiction, current_user, data)
            if not errors:
                flash(_("Jurisdiction “%(name)s” created.", name=node.name), "success")
                return redirect(url_for("units_views.jurisdictions"))
        state = FormState(request.form, errors)
    nodes = tree(db.session.scalars(service.jurisdictions_query(current_user)).all())
    q = query_text("q") or ""
    shown = _matching(nodes, q) if q else nodes
    counts = dict(db.session.execute(scope.scoped(
        sa.select(Unit.jurisdiction_id, sa.func.count()).group_by(Unit.jurisdiction_id),
        Unit, current_user)).all())
    return render_template("units/jurisdictions.html", page=paginate_rows(shown), counts=counts,
                           form=state, q=q, any_nodes=bool(nodes),
                           parent_options=jurisdiction_options(nodes),
                           may_create=scope.may(current_user, "jurisdictions.create")), \
        state.status


def _matching(nodes: list[Jurisdiction], q: str) -> list[Jurisdiction]:
    """The nodes whose name or code contains `q`, with the nodes above them (still in tree
    order) so that each match is read in its place; `match` tells the two apart."""
    needle = q.casefold()
    by_id = {node.id: node for node in nodes}
    keep = set()
    for node in nodes:
        node.match = needle in node.name.casefold() or needle in node.code.casefold()
        if node.match:
            up = node
            while up is not None and up.id not in keep:
                keep.add(up.id)
                up = by_id.get(up.parent_id)
    return [node for node in nodes if node.id in keep]
