"""Translated labels of the plans' enum values and section headings; templates read them via
`plan_label()`."""
from flask_babel import lazy_gettext as _l

from units.labels import PLAN_LEVEL_LABELS, SCENARIO_LABELS

STATUS_LABELS = {
    "draft": _l("Draft"),
    "approved": _l("Approved"),
    "superseded": _l("Superseded"),
}

# GB/T 29639-2020 sections, in the order of plans.models.SECTIONS
SECTION_LABELS = {
    "scope": _l("Scope"),
    "organization": _l("Organisation and duties"),
    "alerting": _l("Alerting and reporting"),
    "response": _l("Response"),
    "measures": _l("Measures"),
    "aftermath": _l("Aftermath"),
    "resources": _l("Resources"),
}

# Badge colours; the words always accompany them.
STATUS_BADGES = {"draft": "text-bg-secondary", "approved": "text-bg-success",
                 "superseded": "text-bg-secondary"}
SCENARIO_ICONS = {"theft_robbery": "bi-safe", "sabotage": "bi-hammer",
                  "accident": "bi-fire", "terror_attack": "bi-shield-exclamation",
                  "extreme_individual": "bi-person-exclamation"}

ENUMS = {
    "scenario": SCENARIO_LABELS,
    "level": PLAN_LEVEL_LABELS,
    "status": STATUS_LABELS,
    "section": SECTION_LABELS,
}


def plan_label(enum: str, value) -> str:
    """The translated label of a plan enum value; the raw value when it has none."""
    if value is None:
        return ""
    return ENUMS[enum].get(value, value)


def template_labels() -> dict:
    return {"plan_label": plan_label, "plan_enums": ENUMS,
            "plan_status_badge_class": STATUS_BADGES.get,
            "scenario_icon": lambda s: SCENARIO_ICONS.get(s, "bi-journal-text")}
