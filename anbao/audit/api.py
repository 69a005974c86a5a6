from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import abort

from anbao import api as rest
from anbao import scope
from anbao.audit import service
from anbao.audit.schemas import AuditEventSchema, AuditQueryArgsSchema
from anbao.i18n import gettext as _
from units.models import Unit

blp = rest.blueprint("audit", __name__, "Audit events")

scope.allow("audit.read", "admin", "police")


@blp.route("/audit")
class Audit(MethodView):
    decorators = [login_required]

    @blp.arguments(AuditQueryArgsSchema, location="query")
    @blp.response(200, AuditEventSchema(many=True))
    @rest.paginate(blp)
    def get(self, args):
        """Audit events of the units in scope, oldest first"""
        scope.authorize(current_user, "audit.read")
        if not scope.in_scope(Unit, args.get("unit_id"), current_user):
            abort(422, errors={"query": {"unit_id": [_("No such unit in your scope.")]}})
        return service.events_query(current_user, args.get("unit_id"), args.get("since"))
