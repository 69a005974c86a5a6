"""Translated labels of the equipment's enum values and alerts; templates read them via
`equipment_label()`."""
from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "protective": _l("Protective gear"),
    "restraint": _l("Restraint tools"),
    "communication": _l("Communication"),
    "fire": _l("Firefighting"),
    "medical": _l("First aid"),
    "barrier": _l("Barriers"),
    "detection": _l("Detection"),
    "lighting": _l("Lighting"),
    "other": _l("Other"),
}

RESULT_LABELS = {"ok": _l("In order"), "defective": _l("Defective")}

# Every alert equipment.service.alerts() names, in the order they are shown
ALERT_LABELS = {
    "below_required": _l("Below required"),
    "expired": _l("Expired"),
    "expiring_soon": _l("Expires within 30 days"),
    "inspection_overdue": _l("Inspection overdue"),
    "inspection_due_soon": _l("Inspection due within 30 days"),
}

# Badge colours and icons; the words always accompany them.
ALERT_BADGES = {"below_required": "text-bg-danger", "expired": "text-bg-danger",
                "inspection_overdue": "text-bg-danger", "expiring_soon": "alert-soon",
                "inspection_due_soon": "alert-soon"}
ALERT_ICONS = {"below_required": "bi-box-seam", "expired": "bi-x-octagon-fill",
               "inspection_overdue": "bi-exclamation-octagon-fill",
               "expiring_soon": "bi-hourglass-split", "inspection_due_soon": "bi-calendar-event"}
# the state each alert is shown as (macros.state): the same colour and icon as everywhere else
ALERT_STATES = {"below_required": "missing", "expired": "overdue",
                "inspection_overdue": "overdue", "expiring_soon": "due_soon",
                "inspection_due_soon": "due_soon"}
CATEGORY_ICONS = {"protective": "bi-shield-shaded", "restraint": "bi-link-45deg",
                  "communication": "bi-broadcast", "fire": "bi-fire", "medical": "bi-heart-pulse",
                  "barrier": "bi-cone-striped", "detection": "bi-search",
                  "lighting": "bi-lightbulb", "other": "bi-box"}

ENUMS = {"category": CATEGORY_LABELS, "result": RESULT_LABELS, "alert": ALERT_LABELS}


def equipment_label(enum: str, value) -> str:
    """The translated label of an equipment enum value; the raw value when it has none."""
    if value is None:
        return ""
    return ENUMS[enum].get(value, value)


def template_labels() -> dict:
    from equipment.service import alerts
    return {"equipment_label": equipment_label, "equipment_enums": ENUMS,
            "equipment_alerts_of": alerts,
            "alert_badge_class": lambda a: ALERT_BADGES.get(a, "text-bg-secondary"),
            "alert_icon": lambda a: ALERT_ICONS.get(a, "bi-dot"),
            "alert_state": lambda a: ALERT_STATES.get(a, "overdue"),
            "equipment_icon": lambda c: CATEGORY_ICONS.get(c, "bi-box")}
