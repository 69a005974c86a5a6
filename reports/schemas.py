from zoneinfo import ZoneInfo

from marshmallow import ValidationError, fields, validate, validates_schema

from anbao.i18n import gettext as _
from anbao.schemas import Day, Id, Instant, QueryId, Schema, enum, required_text, text
from hazards.models import SEVERITIES
from reports import checklist
from reports.inspections import MAX_SEED
from reports.models import ANSWERS, DECISIONS, INSPECTION_KINDS, STATUSES
from units.models import CATEGORIES

SHA_NOTE = ("hex SHA-256 of the UTF-8 bytes of json.dumps({\"content\": content, "
            "\"checklist\": checklist, \"narrative\": narrative}, ensure_ascii=False, "
            "sort_keys=True, separators=(\",\", \":\")), the three values exactly as returned "
            "for this revision")


class ReportCreateSchema(Schema):
    period_start = Day(required=True)
    period_end = Day(required=True)

    @validates_schema
    def in_order(self, data, **kwargs):
        if data.get("period_start") and data.get("period_end") and \
                data["period_end"] < data["period_start"]:
            raise ValidationError(_("The period ends before it starts."), "period_end")


class AnswerSchema(Schema):
    answer = enum(ANSWERS, required=True)
    note = text(2000)


class ReportUpdateSchema(Schema):
    narrative = text(20000)
    checklist = fields.Dict(keys=fields.String(validate=validate.OneOf(checklist.IDS)),
                            values=fields.Nested(AnswerSchema),
                            metadata={"description": "item id (C01–C18) → answer"})


class ReviewInputSchema(Schema):
    decision = enum(DECISIONS, required=True)
    comment = text(4000, load_default="")


class ReviewSchema(Schema):
    decision = fields.String()
    comment = fields.String()
    reviewer = fields.String()
    reviewed_at = fields.String(metadata={"description": "ISO 8601 with offset"})


class ReportSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    period_start = Day()
    period_end = Day()
    revision = fields.Integer()
    status = enum(STATUSES)
    content = fields.Raw()
    checklist = fields.Raw(metadata={"description": "[{id, clause, text, answer, note}]"})
    narrative = fields.String()
    submitted_at = Instant(zone_from="unit.timezone", allow_none=True)
    submitted_by = fields.String(allow_none=True)
    sha256 = fields.String(allow_none=True, metadata={"description": SHA_NOTE})
    review = fields.Nested(ReviewSchema, allow_none=True)


class ReportListSchema(Schema):
    """A report in a list: without its content."""
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String(attribute="unit.name")
    period_start = Day()
    period_end = Day()
    revision = fields.Integer()
    status = enum(STATUSES)


class ReadSchema(Schema):
    user_id = fields.Integer()
    username = fields.String()
    at = Instant(zone_from="unit.timezone")


class RevisionSchema(Schema):
    revision = fields.Integer()
    submitted_at = Instant(zone_from="unit.timezone")
    submitted_by = fields.String()
    sha256 = fields.String(metadata={"description": SHA_NOTE})
    content = fields.Raw()
    checklist = fields.Raw()
    narrative = fields.String()
    review = fields.Method("_review", allow_none=True)
    reads = fields.List(fields.Nested(ReadSchema))

    def _review(self, revision):
        if revision.decision is None:
            return None
        return {"decision": revision.decision, "comment": revision.comment,
                "reviewer": revision.reviewer,
                "reviewed_at": revision.reviewed_at.astimezone(
                    ZoneInfo(revision.unit.timezone)).isoformat()}


class ReportQueryArgsSchema(Schema):
    status = enum(STATUSES)
    jurisdiction_id = QueryId()


class InspectionFindingSchema(Schema):
    description = required_text(4000)
    severity = enum(SEVERITIES, required=True)
    due_date = Day(required=True)
    order = fields.Boolean(load_default=False)
    owner = text(100)


class PoliceInspectionSchema(Schema):
    id = fields.Integer(dump_only=True)
    unit_id = fields.Integer(dump_only=True)
    kind = enum(INSPECTION_KINDS, required=True)
    inspected_on = Day(required=True)
    summary = required_text(20000)
    findings = fields.List(fields.Nested(InspectionFindingSchema), load_only=True,
                           validate=validate.Length(max=100))
    spot_check_id = Id(allow_none=True)
    hazard_ids = fields.List(fields.Integer(), dump_only=True)
    inspector = fields.String(dump_only=True)
    created_at = Instant(zone_from="unit.timezone", dump_only=True)


class SpotCheckSchema(Schema):
    id = fields.Integer(dump_only=True)
    jurisdiction_id = Id(required=True)
    count = fields.Integer(strict=True, required=True,
                           validate=validate.Range(min=1, max=10_000))
    category = enum(CATEGORIES, allow_none=True)
    seed = fields.Integer(strict=True, allow_none=True,
                          validate=validate.Range(min=0, max=MAX_SEED - 1))
    unit_ids = fields.List(fields.Integer(), dump_only=True)
    candidate_ids = fields.List(fields.Integer(), dump_only=True,
                                metadata={"description": "the units in scope drawn from"})
    drawn_by = fields.String(dump_only=True)
    drawn_at = Instant(dump_only=True)
