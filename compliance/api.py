"""Compliance with the rules (API.md "Compliance")."""
from flask.views import MethodView
from flask_login import current_user, login_required

from anbao import api as rest
from anbao import scope
from compliance import calendar  # noqa: F401 - due dates move the feeds' watermarks
from compliance import service
from compliance.schemas import (ComplianceQueryArgsSchema, OverviewQueryArgsSchema,
                                OverviewRowSchema, SettingsSchema, UnitComplianceSchema)
from units.models import Unit

blp = rest.blueprint("compliance", __name__,
                     "Compliance: each obligation of the rules as of a date, per unit and "
                     "across a jurisdiction; rule intervals")


@blp.route("/units/<int:unit_id>/compliance")
class UnitCompliance(MethodView):
    decorators = [login_required]

    @blp.arguments(ComplianceQueryArgsSchema, location="query")
    @blp.response(200, UnitComplianceSchema)
    def get(self, args, unit_id):
        """Every obligation of the unit as of `as_of`, and the unit's status"""
        unit = scope.get_or_404(Unit, unit_id, current_user)
        return service.unit_compliance(current_user, unit, args.get("as_of"))


@blp.route("/compliance")
class Overview(MethodView):
    decorators = [login_required]

    @blp.arguments(OverviewQueryArgsSchema, location="query")
    @blp.response(200, OverviewRowSchema(many=True))
    @rest.paginate_list(blp)
    def get(self, args):
        """One row per unit in scope with its status and counts of items, ascending unit id"""
        return service.overview(current_user, args)


@blp.route("/compliance/settings")
class Settings(MethodView):
    decorators = [login_required]

    @blp.response(200, SettingsSchema)
    def get(self):
        """Each periodic rule's interval in months"""
        scope.authorize(current_user, "compliance.read")
        return service.months()

    @blp.arguments(SettingsSchema)
    @blp.response(200, SettingsSchema)
    @rest.write
    def patch(self, data):
        """Change intervals (admin); the change is in the audit log"""
        return service.update_months(current_user, data)
