"""Translated labels for enum values, one dict per enum; templates read them via `label()`."""
from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "government": _l("Government body"),
    "school": _l("School"),
    "hospital": _l("Hospital"),
    "bank": _l("Bank"),
    "museum": _l("Museum"),
    "transit": _l("Transit"),
    "utility": _l("Utility"),
    "enterprise": _l("Enterprise"),
    "other": _l("Other"),
}

PERSON_ROLE_LABELS = {
    "security_full_time": _l("Full-time security staff"),
    "security_part_time": _l("Part-time security staff"),
    "guard": _l("Security guard"),
    "staff": _l("Staff member"),
}

SCENARIO_LABELS = {
    "theft_robbery": _l("Theft and robbery"),
    "sabotage": _l("Sabotage"),
    "accident": _l("Accident"),
    "terror_attack": _l("Terrorist attack"),
    "extreme_individual": _l("Extreme individual crime"),
}

PLAN_LEVEL_LABELS = {
    "comprehensive": _l("Comprehensive plan"),
    "special": _l("Special plan"),
    "onsite": _l("On-site response plan"),
}

# What each staffing rule counts (API.md "People and staffing": `kind`).
REQUIREMENT_KIND_LABELS = {
    "security_staff": _l("Full-time and part-time security staff"),
    "full_time_security_staff": _l("Full-time security staff"),
    "guards": _l("Certified security guards"),
}

# Badge colours; the words always accompany them.
CATEGORY_BADGES = {
    "government": "text-bg-secondary", "school": "text-bg-info", "hospital": "text-bg-danger",
    "bank": "text-bg-warning", "museum": "text-bg-dark", "transit": "text-bg-primary",
    "utility": "text-bg-success", "enterprise": "text-bg-light border", "other": "text-bg-light border",
}
PERSON_ROLE_BADGES = {
    "security_full_time": "text-bg-primary", "security_part_time": "text-bg-info",
    "guard": "text-bg-dark", "staff": "text-bg-light border",
}

ENUMS = {
    "category": CATEGORY_LABELS,
    "person_role": PERSON_ROLE_LABELS,
    "scenario": SCENARIO_LABELS,
    "plan_level": PLAN_LEVEL_LABELS,
    "requirement_kind": REQUIREMENT_KIND_LABELS,
}


def label(enum: str, value) -> str:
    """The translated label of an enum value; the raw value when it has none."""
    if value is None:
        return ""
    return ENUMS[enum].get(value, value)


def template_labels() -> dict:
    return {"label": label, "enum_labels": ENUMS, "category_badge_class": CATEGORY_BADGES.get,
            "person_role_badge_class": PERSON_ROLE_BADGES.get}
