"""Translated labels of compliance: rule titles (from rules.RULES), item statuses and unit
statuses, each with one colour, one icon and one word, used the same on every page, in the
chart and in the export. Templates read them via `compliance_label()` and the badge macros."""
from flask_babel import lazy_gettext as _l

from compliance import rules

# An item's status (rules.STATUSES)
STATUS_LABELS = {
    "ok": _l("OK"),
    "due_soon": _l("Due soon"),
    "overdue": _l("Overdue"),
    "missing": _l("Missing"),
    "non_compliant": _l("Not met"),
}

# A unit's status (rules.UNIT_STATUSES)
UNIT_STATUS_LABELS = {
    "compliant": _l("Compliant"),
    "attention": _l("Needs attention"),
    "non_compliant": _l("Non-compliant"),
}

# Each status's one colour (CSS class compliance-<status> in static/css/compliance.css uses
# the same hex value; the chart's bars are filled with it) and icon; the words always
# accompany them.
STATUS_COLOURS = {"ok": "#157347", "due_soon": "#946200", "overdue": "#b02a37",
                  "missing": "#6f42c1", "non_compliant": "#c2410c"}
UNIT_STATUS_COLOURS = {"compliant": "#157347", "attention": "#946200",
                       "non_compliant": "#b02a37"}
STATUS_ICONS = {"ok": "bi-check-circle-fill", "due_soon": "bi-hourglass-split",
                "overdue": "bi-alarm", "missing": "bi-question-octagon",
                "non_compliant": "bi-x-octagon"}
UNIT_STATUS_ICONS = {"compliant": "bi-shield-check", "attention": "bi-exclamation-triangle",
                     "non_compliant": "bi-shield-exclamation"}

# Worst first: the order of items on the dashboard and of the counts
STATUS_ORDER = ("overdue", "missing", "non_compliant", "due_soon", "ok")
# what an item counts as: bad (red), warn (amber) or fine
SEVERITY = {"overdue": "bad", "missing": "bad", "non_compliant": "bad", "due_soon": "warn",
            "ok": "ok"}

ENUMS = {"status": STATUS_LABELS, "unit_status": UNIT_STATUS_LABELS}


def rule_title(code: str) -> str:
    rule = rules.RULES.get(code)
    return rule.title if rule else code


def compliance_label(enum: str, value) -> str:
    """The translated label of a compliance enum value; the raw value when it has none."""
    if value is None:
        return ""
    if enum == "rule":
        return rule_title(value)
    return ENUMS[enum].get(value, value)


def status_class(status: str) -> str:
    return f"compliance-{status}" if status in STATUS_LABELS else "text-bg-secondary"


def unit_status_class(status: str) -> str:
    return f"compliance-unit-{status}" if status in UNIT_STATUS_LABELS else "text-bg-secondary"


def template_labels() -> dict:
    return {"compliance_label": compliance_label, "compliance_enums": ENUMS,
            "compliance_status_class": status_class,
            "compliance_unit_status_class": unit_status_class,
            "compliance_status_icon": lambda s: STATUS_ICONS.get(s, "bi-dot"),
            "compliance_unit_status_icon": lambda s: UNIT_STATUS_ICONS.get(s, "bi-dot"),
            "compliance_status_order": STATUS_ORDER,
            "compliance_unit_statuses": rules.UNIT_STATUSES}
