"""Pages for emergency equipment: the unit's ledger (台账) with alerts, one item with its
movements and inspections, the item form and the XLSX export."""
import io
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from anbao import api as rest
from anbao import scope
from anbao.audit import service as audit
from anbao.extensions import db
from anbao.i18n import day_text, number
from anbao.forms import (OMIT, Errors, FormState, compact, form_int, form_text, load_form,
                         paginate, submit)
from anbao.web import current_locale
from equipment import labels, service, xlsx
from equipment.models import CATEGORIES, Equipment, Movement
from equipment.schemas import (EquipmentQueryArgsSchema, EquipmentSchema,
                               EquipmentUpdateSchema, InspectionSchema, MovementSchema)
from units.models import Unit
from units.service import key_parts_query, today_in

bp = Blueprint("equipment_views", __name__)
bp.app_context_processor(labels.template_labels)

ITEM_FIELDS = ("category", "name", "quantity", "required_quantity", "location", "key_part_id",
               "expires_on", "next_inspection_on")
DIRECTIONS = ("in", "out")


def etag_of(item: Equipment) -> str:
    return rest.etag_of(EquipmentSchema().dump(item))


def _filters() -> dict:
    """The ledger's GET filters, loaded through the API's query schema; invalid ones dropped."""
    raw = compact({"category": form_text(request.args, "category", blank=OMIT),
                   "alert": form_text(request.args, "alert", blank=OMIT)})
    data, errors = load_form(EquipmentQueryArgsSchema(), raw)
    if errors:
        data, _errors = load_form(EquipmentQueryArgsSchema(),
                                  {k: v for k, v in raw.items() if k not in errors})
    return data or {}


# The ledger

@bp.route("/units/<int:unit_id>/equipment")
@login_required
def equipment(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    filters = _filters()
    stmt = service.equipment_query(current_user, unit, filters) \
        .options(selectinload(Equipment.key_part))
    page = paginate(stmt)
    today = today_in(unit)
    every = db.session.scalars(service.equipment_query(current_user, unit, {})).all()
    counts = {}
    for item in every:
        for alert in service.alerts(item, today):
            counts[alert] = counts.get(alert, 0) + 1
    return render_template(
        "equipment/list.html", unit=unit, page=page, filters=filters, filtered=bool(filters),
        today=today, alerts_of=lambda item: service.alerts(item, today), counts=counts,
        total=len(every), filter_alerts=EquipmentQueryArgsSchema().fields["alert"]
        .validate.choices, categories=CATEGORIES,
        may_write=scope.may(current_user, "equipment.write"))


@bp.route("/units/<int:unit_id>/equipment/recommended", methods=["POST"])
@login_required
def load_recommended(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    scope.authorize(current_user, "equipment.write")
    items, errors = submit(service.load_recommended, current_user, unit, current_locale())
    if not errors:
        flash(_("Recommended set loaded: the ledger lists %(count)s items; record what "
                "the unit has in stock on each item's page.", count=len(items)), "success")
    return redirect(url_for("equipment_views.equipment", unit_id=unit.id))


# The item form: new items and edits

def _item_data(form, *, creating: bool) -> dict:
    """The form as the JSON body the API takes; blanks clear optional fields."""
    data = {"category": form_text(form, "category", blank=OMIT),
            "name": form_text(form, "name", blank=OMIT if creating else ""),
            "required_quantity": form_int(form, "required_quantity"),
            "location": form_text(form, "location", blank=""),
            "key_part_id": form_int(form, "key_part_id"),
            "expires_on": form_text(form, "expires_on"),
            "next_inspection_on": form_text(form, "next_inspection_on")}
    if creating:
        data["quantity"] = form_int(form, "quantity", blank=OMIT)
    return compact(data)


def _item_values(item: Equipment) -> dict:
    return {field: getattr(item, field) for field in ITEM_FIELDS}


def _render_form(unit: Unit, item: Equipment | None, state: FormState, etag: str | None = None):
    parts = db.session.scalars(key_parts_query(current_user, unit)).all()
    return render_template("equipment/form.html", unit=unit, item=item, form=state, etag=etag,
                           key_part_options=[(p.id, p.name) for p in parts]), state.status


@bp.route("/units/<int:unit_id>/equipment/new", methods=["GET", "POST"])
@login_required
def item_new(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    scope.authorize(current_user, "equipment.write")
    if request.method == "GET":
        category = request.args.get("category")
        return _render_form(unit, None, FormState(
            {"category": category if category in CATEGORIES else "", "quantity": 0}))
    data, errors = load_form(EquipmentSchema(), _item_data(request.form, creating=True))
    if not errors:
        item, errors = submit(service.create_equipment, current_user, unit, data)
        if not errors:
            flash(_("“%(name)s” added to the ledger with %(quantity)s in stock.",
                    name=item.name, quantity=number(item.quantity)), "success")
            return redirect(url_for("equipment_views.item", equipment_id=item.id))
    return _render_form(unit, None, FormState(request.form, errors))


@bp.route("/equipment/<int:equipment_id>/edit", methods=["GET", "POST"])
@login_required
def item_edit(equipment_id: int):
    item = scope.get_or_404(Equipment, equipment_id, current_user)
    scope.authorize(current_user, "equipment.write")
    current = etag_of(item)
    state = FormState(_item_values(item))
    if request.method == "POST":
        data, errors = load_form(EquipmentUpdateSchema(),
                                 _item_data(request.form, creating=False))
        if not errors and request.form.get("etag") != current:
            errors = Errors({"_form": [_("Someone else changed this item meanwhile. Your "
                                         "input is kept below: check the current values "
                                         "and save again.")]}, 409)
            flash(errors["_form"][0], "error")
        if not errors:
            saved, errors = submit(service.update_equipment, current_user, item, data)
            if not errors:
                flash(_("Changes to “%(name)s” saved.", name=saved.name), "success")
                return redirect(url_for("equipment_views.item", equipment_id=saved.id))
            item = db.session.get(Equipment, equipment_id)
            current = etag_of(item)
        state = FormState(request.form, errors)
    return _render_form(item.unit, item, state, etag=current)


# One item: details, ledger, inspections, the movement and inspection forms

def _render_item(item: Equipment, move: FormState | None = None,
                 inspection: FormState | None = None):
    move = move or FormState({"direction": "out"})
    inspection = inspection or FormState({"inspected_on": today_in(item.unit).isoformat(),
                                          "result": "ok"})
    today = today_in(item.unit)
    return render_template(
        "equipment/detail.html", item=item, unit=item.unit, today=today,
        alerts=service.alerts(item, today), movements=list(reversed(service.movements(item))),
        inspections=list(reversed(service.inspections(item))), move=move,
        inspection=inspection,
        may_write=scope.may(current_user, "equipment.write")), max(move.status,
                                                                    inspection.status)


@bp.route("/equipment/<int:equipment_id>")
@login_required
def item(equipment_id: int):
    return _render_item(scope.get_or_404(Equipment, equipment_id, current_user))


def _delta(form) -> tuple[object, Errors]:
    """The signed change from the amount and its direction (in adds, out takes away)."""
    amount = form_int(form, "amount")
    direction = form.get("direction")
    if direction not in DIRECTIONS:
        return None, Errors({"direction": [_("Choose in or out.")]})
    if amount is None:
        return None, Errors({"amount": [_("Enter how many.")]})
    if not isinstance(amount, int):
        return amount, Errors()  # the schema names what is wrong with it
    if amount <= 0:
        return None, Errors({"amount": [_("Enter a whole number of at least 1.")]})
    return (amount if direction == "in" else -amount), Errors()


def _not_enough(item: Equipment) -> str:
    return _("Not enough in stock: only %(quantity)s left, the quantity cannot go below 0.",
             quantity=number(item.quantity))


@bp.route("/equipment/<int:equipment_id>/movements", methods=["POST"])
@login_required
def item_move(equipment_id: int):
    item = scope.get_or_404(Equipment, equipment_id, current_user)
    scope.authorize(current_user, "equipment.write")
    delta, errors = _delta(request.form)
    data = None
    if not errors:
        data, errors = load_form(MovementSchema(), compact(
            {"delta": delta, "reason": form_text(request.form, "reason", blank=OMIT)}))
        if "delta" in errors:
            errors = Errors({**{k: v for k, v in errors.items() if k != "delta"},
                             "amount": errors["delta"]})
    if not errors and item.quantity + data["delta"] < 0:
        errors = Errors({"amount": [_not_enough(item)]}, 409)
    if not errors:
        movement, errors = submit(service.move, current_user, item, data["delta"],
                                  data["reason"])
        if not errors:
            flash(_("Stock of “%(name)s” is now %(quantity)s.", name=item.name,
                    quantity=number(movement.quantity_after)), "success")
            return redirect(url_for("equipment_views.item", equipment_id=item.id,
                                    _anchor="ledger"))
        item = db.session.get(Equipment, equipment_id)
        if errors.status == 409:  # taken by someone else meanwhile
            errors = Errors({"amount": [_not_enough(item)]}, 409)
    return _render_item(item, move=FormState(request.form, errors))


@bp.route("/equipment/<int:equipment_id>/inspections", methods=["POST"])
@login_required
def item_inspect(equipment_id: int):
    item = scope.get_or_404(Equipment, equipment_id, current_user)
    scope.authorize(current_user, "equipment.write")
    data, errors = load_form(InspectionSchema(), compact({
        "inspected_on": form_text(request.form, "inspected_on", blank=OMIT),
        "result": form_text(request.form, "result", blank=OMIT),
        "note": form_text(request.form, "note", blank=""),
        "next_inspection_on": form_text(request.form, "next_inspection_on")}))
    if not errors:
        _inspection, errors = submit(service.inspect, current_user, item, data)
        if not errors:
            flash(_("Inspection recorded; next inspection: %(date)s.",
                    date=day_text(item.next_inspection_on) or "—"), "success")
            return redirect(url_for("equipment_views.item", equipment_id=item.id,
                                    _anchor="inspections"))
        item = db.session.get(Equipment, equipment_id)
    return _render_item(item, inspection=FormState(request.form, errors))


# The XLSX export

@bp.route("/units/<int:unit_id>/equipment.xlsx")
@login_required
def export(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    filters = _filters()
    today = today_in(unit)
    items = db.session.scalars(service.equipment_query(current_user, unit, filters)
                               .options(selectinload(Equipment.key_part))).all()
    zone = ZoneInfo(unit.timezone)
    rows = [(str(labels.equipment_label("category", i.category)), i.name, i.quantity,
             i.required_quantity, _place(i), i.expires_on, i.next_inspection_on,
             "、".join(str(labels.equipment_label("alert", a))
                       for a in service.alerts(i, today)))
            for i in items]
    names = {i.id: i.name for i in items}
    moves = db.session.scalars(sa.select(Movement).where(Movement.equipment_id.in_(names))
                               .order_by(Movement.at, Movement.id)).all() if names else []
    moves_rows = [(m.at.astimezone(zone).replace(tzinfo=None), names[m.equipment_id], m.delta,
                   m.quantity_after, m.reason, m.by) for m in moves]
    locale = current_locale()
    body = xlsx.ledger_xlsx(locale, rows, moves_rows)
    audit.record(current_user, "export", "equipment", None, unit_id=unit.id,
                 detail={"format": "xlsx", "items": len(rows), "movements": len(moves_rows),
                         "filters": filters})
    db.session.commit()
    return send_file(io.BytesIO(body), as_attachment=True,
                     download_name=xlsx.filename(locale, unit.name, today),
                     mimetype="application/vnd.openxmlformats-officedocument."
                              "spreadsheetml.sheet")


def _place(item: Equipment) -> str:
    """Where it is kept: the key part and the place, either one alone, or nothing."""
    return " · ".join(filter(None, (item.key_part.name if item.key_part else "",
                                    item.location)))
