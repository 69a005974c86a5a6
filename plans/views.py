"""Pages for emergency plans: the scenario tiles of a unit, the editor, approval, history,
attachments and a print view."""
import re
from datetime import date, timedelta
from difflib import SequenceMatcher
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from anbao import api as rest
from anbao import scope
from anbao.extensions import db
from anbao.forms import OMIT, Errors, FormState, Rows, compact, form_text, load_form, submit
from anbao.i18n import day_text
from anbao.web import current_locale
from equipment import service as equipment
from plans import labels, scenarios, service
from plans.models import LEVELS, SCENARIOS, SECTIONS, Plan
from plans.schemas import PlanApproveSchema, PlanSchema, PlanUpdateSchema
from units.models import Unit
from units.service import today_in

bp = Blueprint("plans_views", __name__)
bp.app_context_processor(labels.template_labels)

CONTACTS = Rows("contacts", ("role", "name", "phone"))
SECTION_ERROR = re.compile(r"sections-(\w+)-(?:value|key)")
DUE_SOON_DAYS = 30


def review_state(plan: Plan, today: date) -> str | None:
    """`overdue`, `due_soon` (within 30 days) or `ok` for an approved version; else None."""
    if plan.status != "approved" or plan.review_due is None:
        return None
    if plan.review_due < today:
        return "overdue"
    if plan.review_due <= today + timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "ok"


def approved_on(plan: Plan) -> date | None:
    """The day of approval in the unit's zone."""
    if plan.approved_at is None:
        return None
    return plan.approved_at.astimezone(ZoneInfo(plan.unit.timezone)).date()


@bp.app_context_processor
def plan_helpers() -> dict:
    return {"approved_on": approved_on}


def etag_of(plan: Plan) -> str:
    return rest.etag_of(PlanSchema().dump(plan))


# The scenario tiles

def _tiles(plans: list[Plan]) -> list[dict]:
    """Per scenario, its levels that have a plan: the approved version and the newest draft."""
    tiles = []
    for scenario in SCENARIOS:
        levels = []
        for level in LEVELS:
            rows = [p for p in plans if p.scenario == scenario and p.level == level]
            if rows:
                levels.append({
                    "level": level,
                    "approved": next((p for p in rows if p.status == "approved"), None),
                    "draft": next((p for p in reversed(rows) if p.status == "draft"), None),
                    "versions": len(rows)})
        tiles.append({"scenario": scenario, "levels": levels,
                      "covered": any(entry["approved"] for entry in levels)})
    return tiles


@bp.route("/units/<int:unit_id>/plans")
@login_required
def plans(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    rows = db.session.scalars(service.plans_query(current_user, unit, {})).all()
    tiles = _tiles(rows)
    return render_template(
        "plans/list.html", unit=unit, tiles=tiles, today=today_in(unit),
        review_state=review_state, covered=sum(t["covered"] for t in tiles),
        may_write=scope.may(current_user, "plans.write"))


# The editor: new plans and edits

def _contact_rows(form) -> list[dict]:
    """The filled contact rows of the form, in order."""
    rows = []
    for i in CONTACTS.indices(form):
        row = {field: form_text(form, f"contacts-{i}-{field}", blank="")
               for field in ("role", "name", "phone")}
        if any(row.values()):
            rows.append(row)
    return rows


def _section_text(form, key: str) -> str:
    return (form.get(f"sections-{key}") or "").replace("\r\n", "\n").strip()


def _plan_data(form, *, creating: bool) -> dict:
    """The editor as the JSON body the API takes."""
    data = {"title": form_text(form, "title", blank=OMIT if creating else ""),
            "sections": {key: _section_text(form, key) for key in SECTIONS},
            "contacts": _contact_rows(form)}
    if "equipment-shown" in form:
        data["equipment_ids"] = [int(i) for i in form.getlist("equipment_ids") if i.isdigit()]
    if creating:
        data["scenario"] = form_text(form, "scenario", blank=OMIT)
        data["level"] = form_text(form, "level", blank=OMIT)
    return compact(data)


def _plan_values(title: str, sections: dict, contacts: list,
                 equipment_ids: list | None = None) -> dict:
    values = {"title": title, "equipment_ids": [str(i) for i in equipment_ids or []]}
    values.update({f"sections-{key}": sections.get(key, "") for key in SECTIONS})
    for i, contact in enumerate(contacts):
        values.update({f"contacts-{i}-{f}": contact.get(f, "") for f in ("role", "name", "phone")})
    return values


def _editor_errors(errors: Errors) -> Errors:
    """Errors of a section's text are shown next to its textarea."""
    renamed: dict[str, list[str]] = {}
    for key, messages in errors.items():
        match = SECTION_ERROR.fullmatch(key)
        renamed.setdefault(f"sections-{match.group(1)}" if match else key, []).extend(messages)
    return Errors(renamed, errors.status)


def _template(scenario: str, level: str) -> dict | None:
    """The scenario's starting text in the user's language; None while it has no template."""
    try:
        return scenarios.template(scenario, level, current_locale())
    except FileNotFoundError:
        return None


def _render_editor(unit: Unit, plan: Plan | None, state: FormState, **context):
    inventory = db.session.scalars(equipment.equipment_query(current_user, unit, {})).all()
    return render_template(
        "plans/form.html", unit=unit, plan=plan, form=state,
        contact_rows=range(CONTACTS.count(state.values)), sections=SECTIONS,
        inventory=inventory, today=today_in(unit), **context), state.status


def _choice(value, allowed, default):
    return value if value in allowed else default


@bp.route("/units/<int:unit_id>/plans/new", methods=["GET", "POST"])
@login_required
def plan_new(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    scope.authorize(current_user, "plans.write")
    source = request.args if request.method == "GET" else request.form
    scenario = _choice(source.get("scenario"), SCENARIOS, "terror_attack")
    level = _choice(source.get("level"), LEVELS, "comprehensive")
    start = _template(scenario, level)
    context = {"scenario": scenario, "level": level, "has_template": start is not None}
    if request.method == "GET":
        start = start or {"title": "", "sections": {}}
        values = _plan_values(start["title"], start["sections"], [])
        return _render_editor(unit, None, FormState({**values, "scenario": scenario,
                                                     "level": level}), **context)
    data, errors = load_form(PlanSchema(), _plan_data(request.form, creating=True))
    if not errors and start is None:
        errors = Errors({"_form": [_("There is no template for this scenario yet, so the "
                                     "plan cannot be started; try again later.")]}, 409)
        flash(errors["_form"][0], "error")
    if not errors:
        plan, errors = submit(service.create_plan, current_user, unit, data, current_locale())
        if not errors:
            flash(_("Plan “%(title)s” started as a draft (version 1).", title=plan.title),
                  "success")
            return redirect(url_for("plans_views.plan", plan_id=plan.id))
    return _render_editor(unit, None, FormState(CONTACTS.submitted(request.form, _contact_rows(request.form)),
                                                _editor_errors(errors)), **context)


def _newer(plan: Plan) -> Plan | None:
    """The newest version after this one, if the user may see one."""
    later = [p for p in service.versions(current_user, plan) if p.version > plan.version]
    return later[-1] if later else None


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@login_required
def plan_edit(plan_id: int):
    plan = service.get_plan(current_user, plan_id)
    scope.authorize(current_user, "plans.write")
    newer = _newer(plan)
    if plan.status != "draft" and newer is not None:
        flash(_("A newer version of this plan exists; edit that one."), "warning")
        return redirect(url_for("plans_views.plan", plan_id=newer.id))
    if plan.status == "superseded":
        flash(_("A superseded version cannot be changed."), "error")
        return redirect(url_for("plans_views.plan", plan_id=plan.id))
    current = etag_of(plan)
    state = FormState(_plan_values(plan.title, plan.sections, plan.contacts,
                                   plan.equipment_ids))
    if request.method == "POST":
        data, errors = load_form(PlanUpdateSchema(), _plan_data(request.form, creating=False))
        if not errors and request.form.get("etag") != current:
            errors = Errors({"_form": [_("Someone else changed this plan meanwhile. Your text "
                                         "is kept below: check the current plan and save "
                                         "again.")]}, 409)
            flash(errors["_form"][0], "error")
        if not errors:
            saved, errors = submit(service.update_plan, current_user, plan, data)
            if not errors:
                changed, created = saved
                if created:
                    flash(_("Saved as a new draft, version %(version)s; the approved version "
                            "stays in force until this one is approved.",
                            version=changed.version), "success")
                else:
                    flash(_("Draft saved."), "success")
                return redirect(url_for("plans_views.plan", plan_id=changed.id))
            plan = db.session.get(Plan, plan_id)
            current = etag_of(plan)
        state = FormState(CONTACTS.submitted(request.form, _contact_rows(request.form)), _editor_errors(errors))
    return _render_editor(plan.unit, plan, state, etag=current, scenario=plan.scenario,
                          level=plan.level)


# One version

def _render_plan(plan: Plan, approve: FormState | None = None):
    history = service.versions(current_user, plan)
    this = next((p for p in history if p.id == plan.id), plan)
    later = [p for p in history if p.version > plan.version]
    approve = approve or FormState()
    today = today_in(plan.unit)
    relied_on = [(item, equipment.alerts(item, today))
                 for item in equipment.linked([plan])[plan.id]]
    return render_template(
        "plans/detail.html", plan=plan, unit=plan.unit, relied_on=relied_on,
        equipment_problems=[(item, found) for item, found in relied_on
                            if set(found) & set(equipment.ALERT_CONDITIONS)],
        attachments=getattr(this, "attachment_list", []), newer=later[-1] if later else None,
        version_count=len(history), today=today, review_state=review_state,
        etag=etag_of(plan), approve=approve, sections=SECTIONS,
        may_write=scope.may(current_user, "plans.write")), approve.status


@bp.route("/plans/<int:plan_id>")
@login_required
def plan(plan_id: int):
    return _render_plan(service.get_plan(current_user, plan_id))


@bp.route("/plans/<int:plan_id>/approve", methods=["POST"])
@login_required
def plan_approve(plan_id: int):
    plan = service.get_plan(current_user, plan_id)
    scope.authorize(current_user, "plans.write")
    data, errors = load_form(PlanApproveSchema(), compact(
        {"approved_by": form_text(request.form, "approved_by", blank=OMIT)}))
    if not errors and request.form.get("etag") != etag_of(plan):
        errors = Errors({"_form": [_("Someone else changed this plan meanwhile; read it "
                                     "again before approving.")]}, 409)
        flash(errors["_form"][0], "error")
    if not errors:
        approved, errors = submit(service.approve_plan, current_user, plan,
                                  data["approved_by"])
        if not errors:
            flash(_("Version %(version)s approved; review due on %(date)s.",
                    version=approved.version, date=day_text(approved.review_due)), "success")
            return redirect(url_for("plans_views.plan", plan_id=plan_id))
    return _render_plan(db.session.get(Plan, plan_id), FormState(request.form, errors))


@bp.route("/plans/<int:plan_id>/attachments", methods=["POST"])
@login_required
def plan_attach(plan_id: int):
    plan = service.get_plan(current_user, plan_id)
    scope.authorize(current_user, "plans.write")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a file to upload."), "error")
    else:
        row, errors = submit(service.attach, current_user, plan, upload)
        if not errors:
            flash(_("“%(filename)s” attached.", filename=row.filename), "success")
    return redirect(url_for("plans_views.plan", plan_id=plan_id, _anchor="attachments"))


# History and differences

def _segments(old: str, new: str) -> tuple[list, list]:
    """The two lines cut into (text, changed) pieces, character by character."""
    left, right = [], []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if i2 > i1:
            left.append((old[i1:i2], tag != "equal"))
        if j2 > j1:
            right.append((new[j1:j2], tag != "equal"))
    return left, right


def side_by_side(old: str, new: str) -> list[dict]:
    """Rows of a two-column difference: kind `same`, `changed`, `removed` or `added`, each
    side as (text, changed) pieces with its line number (None where the side has no line)."""
    a, b = old.splitlines(), new.splitlines()
    rows = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        for k in range(max(i2 - i1, j2 - j1)):
            left = a[i1 + k] if i1 + k < i2 else None
            right = b[j1 + k] if j1 + k < j2 else None
            if tag == "equal":
                kind, pieces = "same", ([(left, False)], [(right, False)])
            elif left is not None and right is not None:
                kind, pieces = "changed", _segments(left, right)
            elif left is not None:
                kind, pieces = "removed", ([(left, True)], None)
            else:
                kind, pieces = "added", (None, [(right, True)])
            rows.append({"kind": kind, "old": pieces[0], "new": pieces[1],
                         "old_no": i1 + k + 1 if left is not None else None,
                         "new_no": j1 + k + 1 if right is not None else None})
    return rows


def _contacts_text(contacts: list) -> str:
    return "\n".join(" · ".join(filter(None, (c.get("role"), c.get("name"), c.get("phone"))))
                     for c in contacts)


def compare(old: Plan, new: Plan) -> list[dict]:
    """Per part of the plan (title, each section, contacts): its heading and difference."""
    parts = [("title", _("Title"), old.title, new.title)]
    parts += [(key, labels.plan_label("section", key), old.sections.get(key, ""),
               new.sections.get(key, "")) for key in SECTIONS]
    parts.append(("contacts", _("Contacts"), _contacts_text(old.contacts),
                  _contacts_text(new.contacts)))
    return [{"key": key, "heading": heading, "changed": a != b, "rows": side_by_side(a, b)}
            for key, heading, a, b in parts]


@bp.route("/plans/<int:plan_id>/history")
@login_required
def plan_history(plan_id: int):
    plan = service.get_plan(current_user, plan_id)
    history = service.versions(current_user, plan)
    by_version = {p.version: p for p in history}
    numbers = sorted(by_version)
    old = by_version.get(request.args.get("a", type=int))
    new = by_version.get(request.args.get("b", type=int))
    if old is None or new is None:
        old = by_version[numbers[-2]] if len(numbers) > 1 else None
        new = by_version[numbers[-1]] if len(numbers) > 1 else None
    diff = compare(old, new) if old is not None and new is not None else None
    return render_template("plans/history.html", plan=plan, unit=plan.unit, versions=history,
                           old=old, new=new, diff=diff)


@bp.route("/plans/<int:plan_id>/print")
@login_required
def plan_print(plan_id: int):
    plan = service.get_plan(current_user, plan_id)
    return render_template("plans/print.html", plan=plan, unit=plan.unit, sections=SECTIONS,
                           today=today_in(plan.unit), review_state=review_state)
