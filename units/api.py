"""Jurisdictions, units, people, key parts and staffing (API.md)."""
from flask.views import MethodView
from flask_login import current_user, login_required

from anbao import api as rest
from anbao import scope
from units import service
from units.models import Jurisdiction, KeyPart, Person, Unit
from units.schemas import (JurisdictionQueryArgsSchema, JurisdictionSchema, KeyPartSchema,
                           KeyPartUpdateSchema, PeopleQueryArgsSchema, PersonSchema,
                           PersonUpdateSchema, StaffingSchema, UnitQueryArgsSchema, UnitSchema,
                           UnitUpdateSchema)

blp = rest.blueprint("units", __name__, "Jurisdictions, units, people, key parts, staffing")


@blp.route("/jurisdictions")
class Jurisdictions(MethodView):
    decorators = [login_required]

    @blp.arguments(JurisdictionQueryArgsSchema, location="query")
    @blp.response(200, JurisdictionSchema(many=True))
    @rest.paginate(blp)
    def get(self, args):
        """Jurisdictions in the caller's scope"""
        return service.jurisdictions_query(current_user, args.get("parent_id"))

    @blp.arguments(JurisdictionSchema)
    @blp.response(201, JurisdictionSchema)
    @rest.write
    def post(self, data):
        """Create a jurisdiction (admin)"""
        node = service.create_jurisdiction(current_user, data)
        return rest.with_etag(JurisdictionSchema(), node, 201)


@blp.route("/jurisdictions/<int:jurisdiction_id>")
class JurisdictionItem(MethodView):
    decorators = [login_required]

    @blp.response(200, JurisdictionSchema)
    def get(self, jurisdiction_id):
        """One jurisdiction in scope"""
        scope.authorize(current_user, "jurisdictions.read")
        node = scope.get_or_404(Jurisdiction, jurisdiction_id, current_user)
        return rest.with_etag(JurisdictionSchema(), node)


@blp.route("/units")
class Units(MethodView):
    decorators = [login_required]

    @blp.arguments(UnitQueryArgsSchema, location="query")
    @blp.response(200, UnitSchema(many=True))
    @rest.paginate(blp)
    def get(self, args):
        """Units in scope, filtered"""
        return service.units_query(current_user, args)

    @blp.arguments(UnitSchema)
    @blp.response(201, UnitSchema)
    @rest.write
    def post(self, data):
        """Register a unit (admin, police in its jurisdiction)"""
        return rest.with_etag(UnitSchema(), service.create_unit(current_user, data), 201)


@blp.route("/units/<int:unit_id>")
class UnitItem(MethodView):
    decorators = [login_required]

    @blp.response(200, UnitSchema)
    def get(self, unit_id):
        """One unit"""
        return rest.with_etag(UnitSchema(), scope.get_or_404(Unit, unit_id, current_user))

    @blp.arguments(UnitUpdateSchema)
    @blp.response(200, UnitSchema)
    @rest.write
    def patch(self, data, unit_id):
        """Change a unit (coordinators: not the designation or jurisdiction)"""
        unit = scope.get_or_404(Unit, unit_id, current_user)
        rest.check_if_match(UnitSchema(), unit)
        return rest.with_etag(UnitSchema(), service.update_unit(current_user, unit, data))


@blp.route("/units/<int:unit_id>/people")
class People(MethodView):
    decorators = [login_required]

    @blp.arguments(PeopleQueryArgsSchema, location="query")
    @blp.response(200, PersonSchema(many=True))
    @rest.paginate(blp)
    def get(self, args, unit_id):
        """The unit's roster (staff see names and roles only)"""
        unit = scope.get_or_404(Unit, unit_id, current_user)
        return service.people_query(current_user, unit, args["include_left"])

    @blp.arguments(PersonSchema)
    @blp.response(201, PersonSchema)
    @rest.write
    def post(self, data, unit_id):
        """Add a person to the roster"""
        unit = scope.get_or_404(Unit, unit_id, current_user)
        return rest.with_etag(PersonSchema(), service.create_person(current_user, unit, data), 201)


@blp.route("/people/<int:person_id>")
class PersonItem(MethodView):
    decorators = [login_required]

    @blp.response(200, PersonSchema)
    def get(self, person_id):
        """One person"""
        person = scope.get_or_404(Person, person_id, current_user)
        return rest.with_etag(PersonSchema(), person)

    @blp.arguments(PersonUpdateSchema)
    @blp.response(200, PersonSchema)
    @rest.write
    def patch(self, data, person_id):
        """Change a person; {"left_on": date} records leaving"""
        person = scope.get_or_404(Person, person_id, current_user)
        rest.check_if_match(PersonSchema(), person)
        return rest.with_etag(PersonSchema(), service.update_person(current_user, person, data))


@blp.route("/units/<int:unit_id>/key-parts")
class KeyParts(MethodView):
    decorators = [login_required]

    @blp.response(200, KeyPartSchema(many=True))
    @rest.paginate(blp)
    def get(self, unit_id):
        """The unit's key parts"""
        unit = scope.get_or_404(Unit, unit_id, current_user)
        return service.key_parts_query(current_user, unit)

    @blp.arguments(KeyPartSchema)
    @blp.response(201, KeyPartSchema)
    @rest.write
    def post(self, data, unit_id):
        """Add a key part"""
        unit = scope.get_or_404(Unit, unit_id, current_user)
        part = service.create_key_part(current_user, unit, data)
        return rest.with_etag(KeyPartSchema(), part, 201)


@blp.route("/key-parts/<int:key_part_id>")
class KeyPartItem(MethodView):
    decorators = [login_required]

    @blp.response(200, KeyPartSchema)
    def get(self, key_part_id):
        """One key part"""
        return rest.with_etag(KeyPartSchema(),
                              scope.get_or_404(KeyPart, key_part_id, current_user))

    @blp.arguments(KeyPartUpdateSchema)
    @blp.response(200, KeyPartSchema)
    @rest.write
    def patch(self, data, key_part_id):
        """Change a key part"""
        part = scope.get_or_404(KeyPart, key_part_id, current_user)
        rest.check_if_match(KeyPartSchema(), part)
        return rest.with_etag(KeyPartSchema(), service.update_key_part(current_user, part, data))


@blp.route("/units/<int:unit_id>/staffing")
class Staffing(MethodView):
    decorators = [login_required]

    @blp.response(200, StaffingSchema)
    def get(self, unit_id):
        """Staffing rules GZ-6.1 to GZ-6.3.2 evaluated for the unit"""
        return service.staffing(scope.get_or_404(Unit, unit_id, current_user))
