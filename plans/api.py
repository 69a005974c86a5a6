"""Plans, their versions and attachments (API.md "Plans")."""
from flask.views import MethodView
from flask_login import current_user, login_required

from anbao import api as rest
from anbao import scope
from anbao.attachments.schemas import AttachmentSchema, UploadSchema
from anbao.web import current_locale
from plans import service
from plans.schemas import (PlanApproveSchema, PlanQueryArgsSchema, PlanSchema,
                           PlanUpdateSchema, PlanVersionSchema)
from units.models import Unit

blp = rest.blueprint("plans", __name__, "Emergency plans: versions, approval, attachments")


@blp.route("/units/<int:unit_id>/plans")
class Plans(MethodView):
    decorators = [login_required]

    @blp.arguments(PlanQueryArgsSchema, location="query")
    @blp.response(200, PlanSchema(many=True))
    @rest.paginate(blp)
    def get(self, args, unit_id):
        """Every version of every plan of the unit (staff: approved ones)"""
        unit = scope.get_or_404(Unit, unit_id, current_user)
        return service.plans_query(current_user, unit, args)

    @blp.arguments(PlanSchema)
    @blp.response(201, PlanSchema)
    @rest.write
    def post(self, data, unit_id):
        """Start a plan for a scenario and level (version 1, a draft from the template)"""
        unit = scope.get_or_404(Unit, unit_id, current_user)
        plan = service.create_plan(current_user, unit, data, current_locale())
        return rest.with_etag(PlanSchema(), plan, 201)


@blp.route("/plans/<int:plan_id>")
class PlanItem(MethodView):
    decorators = [login_required]

    @blp.response(200, PlanSchema)
    def get(self, plan_id):
        """One version of a plan"""
        return rest.with_etag(PlanSchema(), service.get_plan(current_user, plan_id))

    @blp.arguments(PlanUpdateSchema)
    @blp.response(200, PlanSchema)
    @blp.alt_response(201, schema=PlanSchema, description="A new draft of an approved plan")
    @rest.write
    def patch(self, data, plan_id):
        """Edit a draft; editing an approved version makes a new draft (201)"""
        plan = service.get_plan(current_user, plan_id)
        rest.check_if_match(PlanSchema(), plan)
        changed, created = service.update_plan(current_user, plan, data)
        return rest.with_etag(PlanSchema(), changed, 201 if created else 200)


@blp.route("/plans/<int:plan_id>/approve")
class PlanApproval(MethodView):
    decorators = [login_required]

    @blp.arguments(PlanApproveSchema)
    @blp.response(200, PlanSchema)
    @rest.write
    def post(self, data, plan_id):
        """Approve a draft; the version approved before is superseded"""
        plan = service.get_plan(current_user, plan_id)
        rest.check_if_match(PlanSchema(), plan)
        return rest.with_etag(PlanSchema(),
                              service.approve_plan(current_user, plan, data["approved_by"]))


@blp.route("/plans/<int:plan_id>/versions")
class PlanVersions(MethodView):
    decorators = [login_required]

    @blp.response(200, PlanVersionSchema(many=True))
    def get(self, plan_id):
        """Every version of this plan, oldest first, each with its content"""
        return service.versions(current_user, service.get_plan(current_user, plan_id))


@blp.route("/plans/<int:plan_id>/attachments")
class PlanAttachments(MethodView):
    decorators = [login_required]
    accepts_files = True

    @blp.arguments(UploadSchema, location="files")
    @blp.response(201, AttachmentSchema)
    @rest.write
    def post(self, files, plan_id):
        """Attach a file (PDF, DOCX, XLSX, PNG, JPEG by content; at most 20 MiB)"""
        plan = service.get_plan(current_user, plan_id)
        return service.attach(current_user, plan, files["file"]), 201
