"""Translated labels of the hazards' enum values and history steps; templates read them via
`hazard_label()`."""
from flask_babel import lazy_gettext as _l

from anbao.web import current_locale

SEVERITY_LABELS = {
    "low": _l("Low"),
    "medium": _l("Medium"),
    "high": _l("High"),
    "major": _l("Major"),
}

SOURCE_LABELS = {
    "self_inspection": _l("Self-inspection"),
    "drill": _l("Drill"),
    "police_inspection": _l("Police inspection"),
    "supervisor": _l("Sector supervisor"),
    "other": _l("Other"),
}

STATUS_LABELS = {
    "open": _l("Open"),
    "rectified": _l("Rectified, awaiting verification"),
    "closed": _l("Closed"),
}

# to whom a hazard the unit cannot fix alone is escalated
ESCALATION_LABELS = {
    "supervisor": _l("Sector supervisor"),
    "police": _l("Public security"),
}

# hazards.models.STEPS: what happened, in the history
STEP_LABELS = {
    "create": _l("Recorded"),
    "update": _l("Corrected"),
    "evidence": _l("Evidence added"),
    "rectify": _l("Reported rectified"),
    "accept": _l("Rectification accepted"),
    "reject": _l("Rectification rejected"),
    "escalate": _l("Escalated"),
    "acknowledge": _l("Escalation acknowledged"),
}

# the fields of a hazard, as named in the history of a correction
FIELD_LABELS = {
    "description": _l("Description"),
    "severity": _l("Severity"),
    "source": _l("Source"),
    "owner": _l("Owner"),
    "due_date": _l("Due date"),
    "location": _l("Where"),
    "key_part_id": _l("Key part"),
    "legal_basis": _l("Legal basis"),
}

# The summary tiles of a ledger, in order: key of hazards.service.summary(), label, icon
SUMMARY_LABELS = {
    "open": _l("Open"),
    "rectified": _l("Awaiting verification"),
    "overdue": _l("Overdue"),
    "overdue_orders": _l("Overdue orders"),
    "escalated": _l("Escalations not acknowledged"),
}

# Badge colours and icons; the words always accompany them.
SEVERITY_BADGES = {"low": "severity-low", "medium": "severity-medium", "high": "severity-high",
                   "major": "severity-major"}
STATUS_BADGES = {"open": "hazard-open", "rectified": "hazard-rectified",
                 "closed": "hazard-closed"}
STATUS_ICONS = {"open": "bi-exclamation-circle", "rectified": "bi-hourglass-split",
                "closed": "bi-check-circle-fill"}
STEP_ICONS = {"create": "bi-plus-circle", "update": "bi-pencil", "evidence": "bi-paperclip",
              "rectify": "bi-tools", "accept": "bi-check-circle-fill",
              "reject": "bi-x-circle-fill", "escalate": "bi-megaphone",
              "acknowledge": "bi-hand-thumbs-up"}
SUMMARY_ICONS = {"open": "bi-exclamation-circle", "rectified": "bi-hourglass-split",
                 "overdue": "bi-alarm", "overdue_orders": "bi-file-earmark-ruled",
                 "escalated": "bi-megaphone"}

ENUMS = {"severity": SEVERITY_LABELS, "source": SOURCE_LABELS, "status": STATUS_LABELS,
         "escalation": ESCALATION_LABELS, "step": STEP_LABELS, "field": FIELD_LABELS,
         "summary": SUMMARY_LABELS}


def hazard_label(enum: str, value) -> str:
    """The translated label of a hazard enum value; the raw value when it has none."""
    if value is None:
        return ""
    return ENUMS[enum].get(value, value)


def changed_fields(comment: str) -> str:
    """The comma-separated field names of a correction step, in the user's words."""
    names = [name.strip() for name in (comment or "").split(",") if name.strip()]
    separator = "、" if current_locale() == "zh_CN" else ", "
    return separator.join(str(hazard_label("field", name)) for name in names)


def template_labels() -> dict:
    return {"hazard_label": hazard_label, "hazard_enums": ENUMS,
            "changed_fields": changed_fields,
            "hazard_options": lambda enum: list(ENUMS[enum].items()),
            "severity_badge_class": lambda s: SEVERITY_BADGES.get(s, "text-bg-secondary"),
            "hazard_status_class": lambda s: STATUS_BADGES.get(s, "text-bg-secondary"),
            "hazard_status_icon": lambda s: STATUS_ICONS.get(s, "bi-dot"),
            "step_icon": lambda s: STEP_ICONS.get(s, "bi-dot"),
            "summary_icon": lambda s: SUMMARY_ICONS.get(s, "bi-dot")}
