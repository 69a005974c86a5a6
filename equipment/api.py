"""Equipment, movements and inspections (API.md "Equipment")."""
from flask.views import MethodView
from flask_login import current_user, login_required

from anbao import api as rest
from anbao import scope
from anbao.web import current_locale
from equipment import service
from equipment.models import Equipment
from equipment.schemas import (EquipmentQueryArgsSchema, EquipmentSchema, EquipmentUpdateSchema,
                               InspectionSchema, MovementSchema)
from units.models import Unit

blp = rest.blueprint("equipment", __name__, "Emergency equipment: items, movements, inspections")


@blp.route("/units/<int:unit_id>/equipment")
class EquipmentList(MethodView):
    decorators = [login_required]

    @blp.arguments(EquipmentQueryArgsSchema, location="query")
    @blp.response(200, EquipmentSchema(many=True))
    @rest.paginate(blp)
    def get(self, args, unit_id):
        """The unit's equipment; `alert` lists what is short, expired or overdue"""
        unit = scope.get_or_404(Unit, unit_id, current_user)
        return service.equipment_query(current_user, unit, args)

    @blp.arguments(EquipmentSchema)
    @blp.response(201, EquipmentSchema)
    @rest.write
    def post(self, data, unit_id):
        """Add an item; its quantity is the opening movement of its ledger"""
        unit = scope.get_or_404(Unit, unit_id, current_user)
        item = service.create_equipment(current_user, unit, data)
        return rest.with_etag(EquipmentSchema(), item, 201)


@blp.route("/units/<int:unit_id>/equipment/recommended")
class Recommended(MethodView):
    decorators = [login_required]

    @blp.response(200, EquipmentSchema(many=True))
    @rest.write
    def post(self, unit_id):
        """Load the recommended set of the unit's category as required quantities

        An item of the unit with the same name (in the Accept-Language's language) gets the
        set's required quantity; any other item of the set is added with quantity 0 (its
        ledger opens with a movement of 0). Loading again changes nothing. Answers the unit's
        whole equipment list, ascending id."""
        unit = scope.get_or_404(Unit, unit_id, current_user)
        return service.load_recommended(current_user, unit, current_locale())


@blp.route("/equipment/<int:equipment_id>")
class EquipmentItem(MethodView):
    decorators = [login_required]

    @blp.response(200, EquipmentSchema)
    def get(self, equipment_id):
        """One item"""
        return rest.with_etag(EquipmentSchema(),
                              scope.get_or_404(Equipment, equipment_id, current_user))

    @blp.arguments(EquipmentUpdateSchema)
    @blp.response(200, EquipmentSchema)
    @rest.write
    def patch(self, data, equipment_id):
        """Change an item (not its quantity: that takes a movement)"""
        item = scope.get_or_404(Equipment, equipment_id, current_user)
        rest.check_if_match(EquipmentSchema(), item)
        return rest.with_etag(EquipmentSchema(),
                              service.update_equipment(current_user, item, data))


@blp.route("/equipment/<int:equipment_id>/movements")
class Movements(MethodView):
    decorators = [login_required]

    @blp.response(200, MovementSchema(many=True))
    def get(self, equipment_id):
        """The item's ledger, oldest first"""
        return service.movements(scope.get_or_404(Equipment, equipment_id, current_user))

    @blp.arguments(MovementSchema)
    @blp.response(201, MovementSchema)
    @rest.write
    def post(self, data, equipment_id):
        """Take out (negative delta) or put in; never below 0 (409)"""
        item = scope.get_or_404(Equipment, equipment_id, current_user)
        return service.move(current_user, item, data["delta"], data["reason"]), 201


@blp.route("/equipment/<int:equipment_id>/inspections")
class Inspections(MethodView):
    decorators = [login_required]

    @blp.response(200, InspectionSchema(many=True))
    def get(self, equipment_id):
        """The item's inspections, oldest first"""
        return service.inspections(scope.get_or_404(Equipment, equipment_id, current_user))

    @blp.arguments(InspectionSchema)
    @blp.response(201, InspectionSchema)
    @rest.write
    def post(self, data, equipment_id):
        """Record an inspection; its next date becomes the item's"""
        item = scope.get_or_404(Equipment, equipment_id, current_user)
        return service.inspect(current_user, item, data), 201
