"""Translated labels of the activities' enum values; templates read them via `drill_label()`."""
from flask_babel import lazy_gettext as _l

KIND_LABELS = {"drill": _l("Drill"), "training": _l("Training")}
FORMAT_LABELS = {"tabletop": _l("Tabletop"), "functional": _l("Functional"),
                 "full_scale": _l("Full-scale")}
TOPIC_LABELS = {"awareness": _l("Safety awareness for all"),
                "skills": _l("Security staff skills"),
                "national_security": _l("National security education"),
                "anti_terror": _l("Anti-terrorism")}
STATUS_LABELS = {"scheduled": _l("Scheduled"), "completed": _l("Held"),
                 "cancelled": _l("Cancelled")}
RESULT_LABELS = {"met": _l("Met"), "partially_met": _l("Partially met"),
                 "not_met": _l("Not met"), "not_observed": _l("Not observed")}

ENUMS = {"kind": KIND_LABELS, "format": FORMAT_LABELS, "topic": TOPIC_LABELS,
         "status": STATUS_LABELS, "result": RESULT_LABELS}


def drill_label(enum: str, value) -> str:
    if value is None:
        return ""
    return ENUMS[enum].get(value, value)


def template_labels() -> dict:
    return {"drill_label": drill_label, "drill_enums": ENUMS}
