"""Translated labels of reports and inspections; templates read them via `report_label()`."""
from flask_babel import lazy_gettext as _l

STATUS_LABELS = {"draft": _l("Draft"), "submitted": _l("Submitted"),
                 "accepted": _l("Accepted"), "returned": _l("Returned")}
STATUS_BADGES = {"draft": "text-bg-secondary", "submitted": "text-bg-primary",
                 "accepted": "text-bg-success", "returned": "text-bg-warning"}
ANSWER_LABELS = {"yes": _l("Yes"), "no": _l("No"), "na": _l("Not applicable")}
DECISION_LABELS = {"accept": _l("Accepted"), "return": _l("Returned")}
KIND_LABELS = {"regular": _l("Regular inspection"), "ad_hoc": _l("Ad hoc inspection"),
               "special": _l("Special inspection"), "random": _l("Random spot check")}

ENUMS = {"status": STATUS_LABELS, "answer": ANSWER_LABELS, "decision": DECISION_LABELS,
         "kind": KIND_LABELS}


def report_label(enum: str, value) -> str:
    if value is None:
        return ""
    return ENUMS[enum].get(value, value)


def template_labels() -> dict:
    return {"report_label": report_label, "report_enums": ENUMS,
            "report_status_badge_class": lambda s: STATUS_BADGES.get(s, "text-bg-secondary")}
