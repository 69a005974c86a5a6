"""Pages for hazards (隐患) and police rectification orders (责令限期整改): a unit's ledger (台账)
with its tiles and filters, what needs the police and supervisors across their scope, one
hazard with its evidence, actions and history, the forms and the XLSX export."""
import io
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from anbao import api as rest
from anbao import scope
from anbao import xlsx as sheets
from anbao.audit import service as audit
from anbao.extensions import db
from anbao.i18n import day_text
from anbao.forms import (OMIT, Errors, FormState, compact, form_int, form_text, load_form,
                         long_text, paginate, submit)
from anbao.web import ROLE_LABELS, current_locale
from hazards import labels, service, xlsx
from hazards.models import ESCALATION_TARGETS, SOURCES, Hazard, HazardStep
from hazards.schemas import (AcknowledgeSchema, AllHazardsQueryArgsSchema, EscalateSchema,
                             HazardDetailSchema, HazardQueryArgsSchema, HazardSchema,
                             HazardUpdateSchema, OrderSchema, RectifySchema, VerifySchema)
from units.models import Unit
from units.service import key_parts_query, today_in

bp = Blueprint("hazards_views", __name__)
bp.app_context_processor(labels.template_labels)

LEDGER_FILTERS = ("status", "overdue", "order", "severity", "source", "escalated_to",
                  "acknowledged")
ALL_FILTERS = LEDGER_FILTERS + ("unit_id",)
# every field of the hazard form, in the order shown; each form shows those it may change
HAZARD_FIELDS = ("description", "severity", "source", "owner", "due_date", "location",
                 "key_part_id", "legal_basis")
NEW_HAZARD_FIELDS = ("description", "severity", "source", "owner", "due_date", "location",
                     "key_part_id")
NEW_ORDER_FIELDS = ("description", "due_date", "legal_basis", "severity", "owner", "location")
# what each summary tile lists, as filters
SUMMARY_FILTERS = {"open": {"status": "open"}, "rectified": {"status": "rectified"},
                   "overdue": {"overdue": "true"},
                   "overdue_orders": {"overdue": "true", "order": "true"},
                   "escalated": {"acknowledged": "false"}}


def etag_of(hazard: Hazard) -> str:
    """The hazard's ETag, as the API gives it."""
    return rest.etag_of(HazardDetailSchema().dump(hazard))


def _may_read() -> bool:
    return current_user.is_authenticated and scope.may(current_user, "hazards.read")


@bp.app_context_processor
def hazard_helpers() -> dict:
    return {"may_read_hazards": _may_read,
            "unit_hazard_summary": lambda unit: service.summary(current_user, unit)}


def _filters(schema, names) -> dict:
    """The list's GET filters, loaded through the API's query schema; invalid ones dropped."""
    raw = compact({name: form_text(request.args, name, blank=OMIT) for name in names})
    data, errors = load_form(schema, raw)
    if errors:
        data, _errors = load_form(schema, {k: v for k, v in raw.items() if k not in errors})
    return data or {}


def query_args(filters: dict) -> dict:
    """The filters as query arguments again (true/false for booleans), for links."""
    return {key: ("true" if value else "false") if isinstance(value, bool) else value
            for key, value in filters.items()}


# The unit's ledger

@bp.route("/units/<int:unit_id>/hazards")
@login_required
def ledger(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    counts = service.summary(current_user, unit)  # staff: 403
    filters = _filters(HazardQueryArgsSchema(), LEDGER_FILTERS)
    stmt = service.hazards_query(current_user, filters, unit) \
        .options(selectinload(Hazard.key_part))
    page = paginate(stmt)
    today = today_in(unit)
    return render_template(
        "hazards/list.html", unit=unit, page=page, counts=counts, filters=filters,
        args=query_args(filters), filtered=bool(filters), today=today,
        overdue=lambda hazard: service.is_overdue(hazard, today),
        may_write=scope.may(current_user, "hazards.write"),
        summary_link=lambda key: url_for("hazards_views.ledger", unit_id=unit.id,
                                         **SUMMARY_FILTERS[key]),
        may_order=scope.may(current_user, "hazards.order"))


# What needs the police and the supervisors, across their scope

def attention_query(actor) -> sa.Select:
    """Overdue orders, and escalations to the actor's role (to either, for an admin) not yet
    acknowledged of hazards not closed."""
    targets = [actor.role] if actor.role in ESCALATION_TARGETS else list(ESCALATION_TARGETS)
    parts = [service.hazards_query(actor, {"order": True, "overdue": True})]
    parts += [service.hazards_query(actor, {"escalated_to": target, "acknowledged": False})
              .where(Hazard.status != "closed") for target in targets]
    return service.hazards_query(actor, {}).where(sa.or_(*(
        Hazard.id.in_(part.order_by(None).with_only_columns(Hazard.id)) for part in parts)))


@bp.route("/hazards")
@login_required
def hazards():
    if current_user.unit_id:
        return redirect(url_for("hazards_views.ledger", unit_id=current_user.unit_id))
    counts = service.summary(current_user)
    filters = _filters(AllHazardsQueryArgsSchema(), ALL_FILTERS)
    view = "all" if filters or request.args.get("view") == "all" else "attention"
    stmt = attention_query(current_user) if view == "attention" \
        else service.hazards_query(current_user, filters)
    page = paginate(stmt.options(selectinload(Hazard.unit), selectinload(Hazard.key_part)))
    units = db.session.execute(scope.scoped(sa.select(Unit.id, Unit.name)
                                            .order_by(Unit.name, Unit.id),
                                            Unit, current_user)).all()
    targets = [current_user.role] if current_user.role in ESCALATION_TARGETS \
        else list(ESCALATION_TARGETS)
    return render_template(
        "hazards/all.html", page=page, counts=counts, filters=filters,
        args=query_args(filters), filtered=bool(filters), view=view, units=units,
        overdue=lambda hazard: service.is_overdue(hazard, today_in(hazard.unit)),
        awaits_me=lambda hazard: (hazard.escalated_to in targets
                                  and hazard.acknowledged_at is None
                                  and hazard.status != "closed"),
        may_acknowledge=lambda hazard: service.may_acknowledge(current_user, hazard),
        summary_link=lambda key: url_for("hazards_views.hazards", **SUMMARY_FILTERS[key]))


# The forms: a new hazard, a new order, a correction

def _hazard_data(form, fields, *, creating: bool) -> dict:
    """The form as the JSON body the API takes, with only `fields`; blanks clear optional
    fields, and are left out when creating so the schema names what is required."""
    required_blank = OMIT if creating else ""
    data = {"description": long_text(form, "description", blank=required_blank),
            "severity": form_text(form, "severity", blank=OMIT),
            "source": form_text(form, "source", blank=OMIT),
            "owner": form_text(form, "owner", blank=required_blank),
            "due_date": form_text(form, "due_date", blank=required_blank),
            "location": form_text(form, "location", blank=""),
            "key_part_id": form_int(form, "key_part_id"),
            "legal_basis": long_text(form, "legal_basis", blank="")}
    return compact({key: value for key, value in data.items() if key in fields})


def _hazard_values(hazard: Hazard) -> dict:
    return {field: getattr(hazard, field) for field in HAZARD_FIELDS}


def _render_form(unit: Unit, hazard: Hazard | None, state: FormState, fields, kind: str,
                 etag: str | None = None):
    parts = db.session.scalars(key_parts_query(current_user, unit)).all() \
        if "key_part_id" in fields else []
    return render_template("hazards/form.html", unit=unit, hazard=hazard, form=state,
                           fields=fields, kind=kind, etag=etag,
                           key_part_options=[(p.id, p.name) for p in parts]), state.status


@bp.route("/units/<int:unit_id>/hazards/new", methods=["GET", "POST"])
@login_required
def hazard_new(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    scope.authorize(current_user, "hazards.write")
    if request.method == "GET":
        source = request.args.get("source")
        return _render_form(unit, None, FormState(
            {"severity": "medium", "source": source if source in SOURCES else "self_inspection"}),
            NEW_HAZARD_FIELDS, "hazard")
    data, errors = load_form(HazardSchema(), _hazard_data(request.form, NEW_HAZARD_FIELDS,
                                                          creating=True))
    if not errors:
        hazard, errors = submit(service.create_hazard, current_user, unit, data)
        if not errors:
            flash(_("Hazard recorded; rectify it by %(date)s.", date=day_text(hazard.due_date)),
                  "success")
            return redirect(url_for("hazards_views.hazard", hazard_id=hazard.id))
    return _render_form(unit, None, FormState(request.form, errors), NEW_HAZARD_FIELDS,
                        "hazard")


@bp.route("/units/<int:unit_id>/orders/new", methods=["GET", "POST"])
@login_required
def order_new(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    scope.authorize(current_user, "hazards.order")
    if request.method == "GET":
        return _render_form(unit, None, FormState(
            {"severity": service.DEFAULT_ORDER_SEVERITY,
             "owner": unit.responsible_person or ""}), NEW_ORDER_FIELDS, "order")
    data, errors = load_form(OrderSchema(), _hazard_data(request.form, NEW_ORDER_FIELDS,
                                                         creating=True))
    if not errors:
        hazard, errors = submit(service.issue_order, current_user, unit, data)
        if not errors:
            flash(_("Rectification order issued to %(unit)s; due on %(date)s.",
                    unit=unit.name, date=day_text(hazard.due_date)), "success")
            return redirect(url_for("hazards_views.hazard", hazard_id=hazard.id))
    return _render_form(unit, None, FormState(request.form, errors), NEW_ORDER_FIELDS, "order")


@bp.route("/hazards/<int:hazard_id>/edit", methods=["GET", "POST"])
@login_required
def hazard_edit(hazard_id: int):
    hazard = service.get_hazard(current_user, hazard_id)
    editable = service.EDITABLE.get((current_user.role, hazard.order))
    if editable is None:
        scope.forbid()
    if hazard.status == "closed":
        flash(_("The hazard is closed and can no longer be corrected; record a new one "
                "instead."), "error")
        return redirect(url_for("hazards_views.hazard", hazard_id=hazard.id))
    fields = tuple(field for field in HAZARD_FIELDS if field in editable)
    current = etag_of(hazard)
    state = FormState(_hazard_values(hazard))
    if request.method == "POST":
        data, errors = load_form(HazardUpdateSchema(),
                                 _hazard_data(request.form, fields, creating=False))
        if not errors and request.form.get("etag") != current:
            errors = Errors({"_form": [_("Someone else changed this hazard meanwhile. Your "
                                         "input is kept below: check the current values "
                                         "and save again.")]}, 409)
            flash(errors["_form"][0], "error")
        if not errors:
            saved, errors = submit(service.update_hazard, current_user, hazard, data)
            if not errors:
                flash(_("Changes saved."), "success")
                return redirect(url_for("hazards_views.hazard", hazard_id=saved.id))
            hazard = db.session.get(Hazard, hazard_id)
            current = etag_of(hazard)
        state = FormState(request.form, errors)
    return _render_form(hazard.unit, hazard, state, fields,
                        "order" if hazard.order else "hazard", etag=current)


# One hazard: facts, penalty exposure, evidence, the actions open to the user, history

def _render_hazard(hazard: Hazard, **states: FormState):
    unit = hazard.unit
    today = today_in(unit)
    forms = {"rectify": FormState({"measures": hazard.measures}),
             "verify": FormState(), "escalate": FormState({"to": hazard.escalated_to
                                                           or "supervisor"}),
             "acknowledge": FormState(), **states}
    may_write = scope.may(current_user, "hazards.write")
    is_open = hazard.status != "closed"
    editable = service.EDITABLE.get((current_user.role, hazard.order))
    return render_template(
        "hazards/detail.html", hazard=hazard, unit=unit, today=today,
        overdue=service.is_overdue(hazard, today), penalty=service.penalty(hazard, today),
        evidence={row.id: row for row in hazard.evidence}, history=hazard.history,
        forms=forms, etag=etag_of(hazard),
        may_edit=editable is not None and is_open,
        may_upload=may_write and is_open,
        may_rectify=may_write and hazard.status == "open",
        may_verify=service.may_verify(current_user, hazard) and hazard.status == "rectified",
        may_escalate=may_write and is_open,
        may_acknowledge=service.may_acknowledge(current_user, hazard)), \
        max(form.status for form in forms.values())


@bp.route("/hazards/<int:hazard_id>")
@login_required
def hazard(hazard_id: int):
    return _render_hazard(service.get_hazard(current_user, hazard_id))


def _back(hazard_id: int, anchor: str | None = None):
    return redirect(url_for("hazards_views.hazard", hazard_id=hazard_id, _anchor=anchor))


@bp.route("/hazards/<int:hazard_id>/evidence", methods=["POST"])
@login_required
def hazard_evidence(hazard_id: int):
    hazard = service.get_hazard(current_user, hazard_id)
    scope.authorize(current_user, "hazards.write")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a file to upload."), "error")
    else:
        row, errors = submit(service.add_evidence, current_user, hazard, upload)
        if not errors:
            flash(_("“%(filename)s” added as evidence.", filename=row.filename), "success")
    return _back(hazard_id, "evidence")


def _ids(values: list[str]) -> list:
    """Checked ids as numbers; anything else as given, for the schema to name."""
    return [form_int({"v": value}, "v") for value in values]


def _evidence_errors(errors: Errors) -> Errors:
    """Errors of one piece of evidence (evidence_ids-0) are shown with the list."""
    renamed: dict[str, list[str]] = {}
    for key, messages in errors.items():
        name = "evidence_ids" if key.startswith("evidence_ids") else key
        renamed.setdefault(name, []).extend(messages)
    return Errors(renamed, errors.status)


@bp.route("/hazards/<int:hazard_id>/rectify", methods=["POST"])
@login_required
def hazard_rectify(hazard_id: int):
    hazard = service.get_hazard(current_user, hazard_id)
    scope.authorize(current_user, "hazards.write")
    data, errors = load_form(RectifySchema(), compact({
        "measures": long_text(request.form, "measures", blank=OMIT),
        "evidence_ids": _ids(request.form.getlist("evidence_ids"))}))
    if not errors:
        _saved, errors = submit(service.rectify, current_user, hazard, data["measures"],
                                data["evidence_ids"])
        if not errors:
            flash(_("Reported rectified; it now awaits verification."), "success")
            return _back(hazard_id)
        hazard = db.session.get(Hazard, hazard_id)
    return _render_hazard(hazard, rectify=FormState(request.form, _evidence_errors(errors)))


@bp.route("/hazards/<int:hazard_id>/verify", methods=["POST"])
@login_required
def hazard_verify(hazard_id: int):
    hazard = service.get_hazard(current_user, hazard_id)
    data, errors = load_form(VerifySchema(), compact({
        "accepted": form_text(request.form, "accepted", blank=OMIT),
        "comment": long_text(request.form, "comment", blank="")}))
    if not errors:
        saved, errors = submit(service.verify, current_user, hazard, data["accepted"],
                               data["comment"])
        if not errors:
            flash(_("Rectification accepted: the hazard is closed.") if saved.status == "closed"
                  else _("Rectification rejected: the hazard is open again."), "success")
            return _back(hazard_id)
        hazard = db.session.get(Hazard, hazard_id)
    return _render_hazard(hazard, verify=FormState(request.form, errors))


@bp.route("/hazards/<int:hazard_id>/escalate", methods=["POST"])
@login_required
def hazard_escalate(hazard_id: int):
    hazard = service.get_hazard(current_user, hazard_id)
    scope.authorize(current_user, "hazards.write")
    data, errors = load_form(EscalateSchema(), compact({
        "to": form_text(request.form, "to", blank=OMIT),
        "reason": long_text(request.form, "reason", blank=OMIT)}))
    if not errors:
        saved, errors = submit(service.escalate, current_user, hazard, data["to"],
                               data["reason"])
        if not errors:
            flash(_("Escalated to: %(to)s. They are asked to acknowledge it.",
                    to=labels.hazard_label("escalation", saved.escalated_to)), "success")
            return _back(hazard_id)
        hazard = db.session.get(Hazard, hazard_id)
    return _render_hazard(hazard, escalate=FormState(request.form, errors))


@bp.route("/hazards/<int:hazard_id>/acknowledge", methods=["POST"])
@login_required
def hazard_acknowledge(hazard_id: int):
    hazard = service.get_hazard(current_user, hazard_id)
    data, errors = load_form(AcknowledgeSchema(), {
        "comment": long_text(request.form, "comment", blank="")})
    if not errors:
        _saved, errors = submit(service.acknowledge, current_user, hazard, data["comment"])
        if not errors:
            flash(_("Escalation acknowledged."), "success")
            if request.form.get("back") == "list":
                return redirect(url_for("hazards_views.hazards"))
            return _back(hazard_id)
        hazard = db.session.get(Hazard, hazard_id)
    return _render_hazard(hazard, acknowledge=FormState(request.form, errors))


# The XLSX export

def _place(hazard: Hazard) -> str:
    """Where it is: the key part and the place, either one alone, or nothing."""
    return " · ".join(filter(None, (hazard.key_part.name if hazard.key_part else "",
                                    hazard.location)))


@bp.route("/units/<int:unit_id>/hazards.xlsx")
@login_required
def export(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    filters = _filters(HazardQueryArgsSchema(), LEDGER_FILTERS)
    rows_of = db.session.scalars(service.hazards_query(current_user, filters, unit)
                                 .options(selectinload(Hazard.key_part))).all()
    today = today_in(unit)
    zone = ZoneInfo(unit.timezone)

    def when(instant):
        return instant.astimezone(zone).replace(tzinfo=None) if instant else None

    def yes_no(value: bool) -> str:
        return _("Yes") if value else _("No")

    label = labels.hazard_label
    rows = [(h.id, h.description, str(label("severity", h.severity)),
             str(label("source", h.source)), h.owner, _place(h), h.due_date,
             str(label("status", h.status)), yes_no(h.order),
             yes_no(service.is_overdue(h, today)), h.legal_basis, h.measures,
             h.rectified_by or "", when(h.rectified_at), h.verified_by or "",
             when(h.verified_at), h.verification_comment, str(label("escalation", h.escalated_to)),
             h.escalation_reason, when(h.escalated_at), h.acknowledged_by or "",
             when(h.acknowledged_at), h.acknowledgement_comment, h.created_by,
             when(h.created_at)) for h in rows_of]
    described = {h.id: h.description for h in rows_of}
    steps = db.session.scalars(sa.select(HazardStep).where(HazardStep.hazard_id.in_(described))
                               .order_by(HazardStep.at, HazardStep.id)).all() \
        if described else []
    history = [(when(s.at), s.hazard_id, described[s.hazard_id], str(label("step", s.action)),
                str(label("status", s.status)), s.by, str(ROLE_LABELS.get(s.by_role, s.by_role)),
                labels.changed_fields(s.comment) if s.action == "update" else s.comment)
               for s in steps]
    locale = current_locale()
    body = xlsx.ledger_xlsx(locale, rows, history)
    audit.record(current_user, "export", "hazard", None, unit_id=unit.id,
                 jurisdiction_id=unit.jurisdiction_id,
                 detail={"format": "xlsx", "hazards": len(rows), "steps": len(history),
                         "filters": query_args(filters)})
    db.session.commit()
    return send_file(io.BytesIO(body), as_attachment=True,
                     download_name=xlsx.filename(locale, unit.name, today),
                     mimetype=sheets.MIMETYPE)
