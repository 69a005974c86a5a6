"""Hazards and police rectification orders (API.md "Hazards and orders")."""
from flask.views import MethodView
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from anbao import api as rest
from anbao import scope
from anbao.attachments.schemas import AttachmentSchema, UploadSchema
from hazards import service
from hazards.models import Hazard
from hazards.schemas import (AcknowledgeSchema, AllHazardsQueryArgsSchema, EscalateSchema,
                             HazardDetailSchema, HazardQueryArgsSchema, HazardSchema,
                             HazardUpdateSchema, OrderSchema, RectifySchema, VerifySchema)
from units.models import Unit

blp = rest.blueprint("hazards", __name__,
                     "Hazard ledger and police rectification orders: rectification, "
                     "verification, escalation, evidence")


def _hazard(hazard: Hazard, status: int = 200):
    return rest.with_etag(HazardDetailSchema(), hazard, status)


@blp.route("/units/<int:unit_id>/hazards")
class UnitHazards(MethodView):
    decorators = [login_required]

    @blp.arguments(HazardQueryArgsSchema, location="query")
    @blp.response(200, HazardSchema(many=True))
    @rest.paginate(blp)
    def get(self, args, unit_id):
        """The unit's hazard ledger; `overdue` means open and past the due date"""
        unit = scope.get_or_404(Unit, unit_id, current_user)
        return service.hazards_query(current_user, args, unit)

    @blp.arguments(HazardSchema)
    @blp.response(201, HazardDetailSchema)
    @rest.write
    def post(self, data, unit_id):
        """Record a hazard the unit found; it starts `open`"""
        unit = scope.get_or_404(Unit, unit_id, current_user)
        return _hazard(service.create_hazard(current_user, unit, data), 201)


@blp.route("/units/<int:unit_id>/orders")
class UnitOrders(MethodView):
    decorators = [login_required]

    @blp.arguments(OrderSchema)
    @blp.response(201, HazardDetailSchema)
    @rest.write
    def post(self, data, unit_id):
        """Order the unit to rectify by a date (责令限期整改): a hazard with `order` true

        `severity` defaults to `high` and `owner` to the unit's responsible person."""
        unit = scope.get_or_404(Unit, unit_id, current_user)
        return _hazard(service.issue_order(current_user, unit, data), 201)


@blp.route("/hazards")
class AllHazards(MethodView):
    decorators = [login_required]

    @blp.arguments(AllHazardsQueryArgsSchema, location="query")
    @blp.response(200, HazardSchema(many=True))
    @rest.paginate(blp)
    def get(self, args):
        """Hazards of every unit in scope: overdue orders, escalations to acknowledge, ..."""
        return service.hazards_query(current_user, args).options(selectinload(Hazard.unit))


@blp.route("/hazards/<int:hazard_id>")
class HazardItem(MethodView):
    decorators = [login_required]

    @blp.response(200, HazardDetailSchema)
    def get(self, hazard_id):
        """One hazard with `overdue`, `penalty` (overdue orders) and its history"""
        return _hazard(service.get_hazard(current_user, hazard_id))

    @blp.arguments(HazardUpdateSchema)
    @blp.response(200, HazardDetailSchema)
    @rest.write
    def patch(self, data, hazard_id):
        """Correct a hazard that is not closed

        The coordinator changes the unit's own hazards, and the owner and location of an
        order; the police the description, severity, due date and legal basis of an order.
        Any other field answers 422 on it."""
        hazard = service.get_hazard(current_user, hazard_id)
        rest.check_if_match(HazardDetailSchema(), hazard)
        return _hazard(service.update_hazard(current_user, hazard, data))


@blp.route("/hazards/<int:hazard_id>/rectify")
class Rectify(MethodView):
    decorators = [login_required]

    @blp.arguments(RectifySchema)
    @blp.response(200, HazardDetailSchema)
    @rest.write
    def post(self, data, hazard_id):
        """Report an open hazard rectified, naming its evidence → `rectified`"""
        hazard = service.get_hazard(current_user, hazard_id)
        return _hazard(service.rectify(current_user, hazard, data["measures"],
                                       data["evidence_ids"]))


@blp.route("/hazards/<int:hazard_id>/verify")
class Verify(MethodView):
    decorators = [login_required]

    @blp.arguments(VerifySchema)
    @blp.response(200, HazardDetailSchema)
    @rest.write
    def post(self, data, hazard_id):
        """Accept a rectification (→ `closed`) or reject it (→ `open`)

        The coordinator verifies the unit's own hazards, the police their orders."""
        hazard = service.get_hazard(current_user, hazard_id)
        return _hazard(service.verify(current_user, hazard, data["accepted"],
                                      data["comment"]))


@blp.route("/hazards/<int:hazard_id>/escalate")
class Escalate(MethodView):
    decorators = [login_required]

    @blp.arguments(EscalateSchema)
    @blp.response(200, HazardDetailSchema)
    @rest.write
    def post(self, data, hazard_id):
        """Ask the supervisor or the police for help with a hazard the unit cannot fix"""
        hazard = service.get_hazard(current_user, hazard_id)
        return _hazard(service.escalate(current_user, hazard, data["to"], data["reason"]))


@blp.route("/hazards/<int:hazard_id>/acknowledge")
class Acknowledge(MethodView):
    decorators = [login_required]

    @blp.arguments(AcknowledgeSchema)
    @blp.response(200, HazardDetailSchema)
    @rest.write
    def post(self, data, hazard_id):
        """Acknowledge an escalation to your role (supervisor or police)"""
        hazard = service.get_hazard(current_user, hazard_id)
        return _hazard(service.acknowledge(current_user, hazard, data["comment"]))


@blp.route("/hazards/<int:hazard_id>/evidence")
class Evidence(MethodView):
    decorators = [login_required]
    accepts_files = True

    @blp.arguments(UploadSchema, location="files")
    @blp.response(201, AttachmentSchema)
    @rest.write
    def post(self, files, hazard_id):
        """Attach evidence (PDF, DOCX, XLSX, PNG, JPEG by content; at most 20 MiB)"""
        hazard = service.get_hazard(current_user, hazard_id)
        return service.add_evidence(current_user, hazard, files["file"]), 201
