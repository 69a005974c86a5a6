"""Reports, inspections and spot checks (API.md "Reports", "Inspections")."""
import io

from flask import Response, send_file
from flask.views import MethodView
from flask_login import current_user, login_required

from anbao import api as rest
from anbao import scope
from anbao.extensions import db
from reports import exports, inspections, service
from reports.schemas import (PoliceInspectionSchema, ReportCreateSchema, ReportListSchema,
                             ReportQueryArgsSchema, ReportSchema, ReportUpdateSchema,
                             ReviewInputSchema, RevisionSchema, SpotCheckSchema)
from units.models import Unit

blp = rest.blueprint("reports", __name__,
                     "Self-inspection reports and their review; police inspections and spot "
                     "checks")


def _answer(report, status: int = 200):
    return rest.with_etag(ReportSchema(), service.view(report, current_user), status)


@blp.route("/units/<int:unit_id>/reports")
class UnitReports(MethodView):
    decorators = [login_required]

    @blp.arguments(ReportQueryArgsSchema, location="query")
    @blp.response(200, ReportListSchema(many=True))
    @rest.paginate(blp)
    def get(self, args, unit_id):
        """The unit's reports, ascending id (police and supervisors never see drafts)"""
        unit = scope.get_or_404(Unit, unit_id, current_user)
        return service.reports_query(current_user, args, unit)

    @blp.arguments(ReportCreateSchema)
    @blp.response(201, ReportSchema)
    @rest.write
    def post(self, data, unit_id):
        """Start the report of a period: a draft assembled from the records"""
        unit = scope.get_or_404(Unit, unit_id, current_user)
        report = service.create_report(current_user, unit, data["period_start"],
                                       data["period_end"])
        return _answer(report, 201)


@blp.route("/reports")
class Reports(MethodView):
    decorators = [login_required]

    @blp.arguments(ReportQueryArgsSchema, location="query")
    @blp.response(200, ReportListSchema(many=True))
    @rest.paginate(blp)
    def get(self, args):
        """Reports of the units in scope, never drafts, ascending id"""
        return service.reports_query(current_user, args)


@blp.route("/reports/<int:report_id>")
class OneReport(MethodView):
    decorators = [login_required]

    @blp.response(200, ReportSchema)
    def get(self, report_id):
        """The report; a submitted or accepted one exactly as submitted"""
        report = service.get_report(current_user, report_id)
        service.note_read(current_user, report)
        db.session.commit()
        return _answer(report)

    @blp.arguments(ReportUpdateSchema)
    @blp.response(200, ReportSchema)
    @rest.write
    def patch(self, data, report_id):
        """Answer the checklist and write the narrative, while draft or returned"""
        report = service.get_report(current_user, report_id)
        rest.check_if_match(ReportSchema(), service.view(report, current_user))
        return _answer(service.update_report(current_user, report, data))


@blp.route("/reports/<int:report_id>/refresh")
class Refresh(MethodView):
    decorators = [login_required]

    @blp.response(200, ReportSchema)
    @rest.write
    def post(self, report_id):
        """Assemble the content again from the records"""
        report = service.get_report(current_user, report_id)
        return _answer(service.refresh(current_user, report))


@blp.route("/reports/<int:report_id>/submit")
class Submit(MethodView):
    decorators = [login_required]

    @blp.response(200, ReportSchema)
    @rest.write
    def post(self, report_id):
        """Submit: the revision is frozen with its SHA-256; every checklist item answered"""
        report = service.get_report(current_user, report_id)
        return _answer(service.submit(current_user, report))


@blp.route("/reports/<int:report_id>/review")
class Review(MethodView):
    decorators = [login_required]

    @blp.arguments(ReviewInputSchema)
    @blp.response(200, ReportSchema)
    @rest.write
    def post(self, data, report_id):
        """Accept, or return with a comment (a new working revision at once)"""
        report = service.get_report(current_user, report_id)
        return _answer(service.review(current_user, report, data["decision"],
                                      data["comment"]))


@blp.route("/reports/<int:report_id>/revisions")
class Revisions(MethodView):
    decorators = [login_required]

    @blp.response(200, RevisionSchema(many=True))
    def get(self, report_id):
        """Every submitted revision, oldest first, with its review and who read it"""
        report = service.get_report(current_user, report_id)
        service.note_read(current_user, report, every=True)
        db.session.commit()
        return report.revisions


def _export(report_id: int, kind: str) -> Response:
    report = service.get_report(current_user, report_id)
    body, mimetype, filename = exports.download(current_user, report, kind)
    db.session.commit()
    return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True,
                     download_name=filename)


@blp.route("/reports/<int:report_id>.pdf")
class Pdf(MethodView):
    decorators = [login_required]

    @blp.response(200, content_type="application/pdf")
    def get(self, report_id):
        """The report as PDF (the HTML view's template, Chinese in Noto Sans CJK SC)"""
        return _export(report_id, "pdf")


@blp.route("/reports/<int:report_id>.xlsx")
class Xlsx(MethodView):
    decorators = [login_required]

    @blp.response(200, content_type=exports.XLSX)
    def get(self, report_id):
        """The report as XLSX"""
        return _export(report_id, "xlsx")


@blp.route("/units/<int:unit_id>/inspections")
class UnitInspections(MethodView):
    decorators = [login_required]

    @blp.response(200, PoliceInspectionSchema(many=True))
    @rest.paginate(blp)
    def get(self, unit_id):
        """The unit's police inspections, ascending id"""
        unit = scope.get_or_404(Unit, unit_id, current_user)
        return inspections.inspections_query(current_user, unit)

    @blp.arguments(PoliceInspectionSchema)
    @blp.response(201, PoliceInspectionSchema)
    @rest.write
    def post(self, data, unit_id):
        """Record an inspection; its findings become hazards (orders when `order`)"""
        unit = scope.get_or_404(Unit, unit_id, current_user)
        return inspections.inspect(current_user, unit, data)


@blp.route("/inspections/<int:inspection_id>")
class OneInspection(MethodView):
    decorators = [login_required]

    @blp.response(200, PoliceInspectionSchema)
    def get(self, inspection_id):
        """One inspection"""
        return inspections.get_inspection(current_user, inspection_id)


@blp.route("/spot-checks")
class SpotChecks(MethodView):
    decorators = [login_required]

    @blp.response(200, SpotCheckSchema(many=True))
    @rest.paginate(blp)
    def get(self):
        """The spot checks of the caller's jurisdiction, ascending id"""
        return inspections.spot_checks_query(current_user)

    @blp.arguments(SpotCheckSchema)
    @blp.response(201, SpotCheckSchema)
    @rest.write
    def post(self, data):
        """Draw units at random with a recorded seed (the same seed over the same units
        draws the same units)"""
        return inspections.spot_check(current_user, data)
