"""Pages for jurisdictions, units, people, key parts and users."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from anbao import scope
from units import service
from units.models import Unit

bp = Blueprint("units_views", __name__)


@bp.route("/units")
@login_required
def units():
    return render_template("units/list.html", units=[])


@bp.route("/units/<int:unit_id>")
@login_required
def unit(unit_id: int):
    unit = scope.get_or_404(Unit, unit_id, current_user)
    return render_template("units/detail.html", unit=unit, staffing=service.staffing(unit))


@bp.route("/units/<int:unit_id>/people")
@login_required
def people(unit_id: int):
    return ""


@bp.route("/jurisdictions")
@login_required
def jurisdictions():
    return ""


@bp.route("/users")
@login_required
def users():
    return ""
