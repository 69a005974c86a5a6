"""The compliance obligations of DESIGN.md §3: who each rule applies to, its clause and its
default interval. Pure data and small functions; the engine gathers the facts."""
from dataclasses import dataclass

from anbao.i18n import lazy_gettext as _l


@dataclass(frozen=True)
class Rule:
    code: str
    title: object
    clause: str
    months: int | None  # the interval an admin may change; None: not a periodic rule
    applies: str         # "key" (key targets and key security units), "ksu", "target", "all"


RULES = {rule.code: rule for rule in (
    Rule("PLAN-SET", _l("An approved plan for each of the five scenarios"),
         "GZ-(九); 预案办法 Art 6", None, "key"),
    Rule("PLAN-REVIEW", _l("Plans reviewed and approved again in time"),
         "预案办法 Art 35", 36, "all"),
    Rule("DRILL-PLAN", _l("Each planned scenario drilled"), "GZ-(九)(十); 预案办法 Art 33", 12,
         "key"),
    Rule("TRAIN-AWARENESS", _l("Safety awareness training for all"), "GZ-(十)", 12, "key"),
    Rule("TRAIN-SKILLS", _l("Skills training for security staff"), "GZ-(六)(十)", 12, "ksu"),
    Rule("TRAIN-NATSEC", _l("National security education"), "GZ-(十); 国家安全法 Art 14", 12,
         "all"),
    Rule("TRAIN-ANTITERROR", _l("Anti-terrorism training"), "反恐怖主义法 Art 32", 12,
         "target"),
    Rule("REPORT", _l("Self-inspection report submitted for each period"),
         "GZ-(十一); 反恐怖主义法 Art 32", None, "key"),
    Rule("EQUIPMENT", _l("Emergency equipment complete, in date and inspected"),
         "GZ-(九)(十二)", None, "all"),
    Rule("HAZARD", _l("Hazards rectified by their due dates"), "GZ-(二十二); 421号 Art 19",
         None, "all"),
    Rule("STAFFING", _l("Security staff and guards as the rules require"), "GZ-(六)", None,
         "all"),
)}

# the onsite plan of a scenario asks for a drill within this many months (DESIGN.md §3)
ONSITE_DRILL_MONTHS = 6
# a drill finding that asks for a plan's review: within this many days
REQUESTED_REVIEW_DAYS = 30
SOON_DAYS = 30
TRAINING_RULES = {"TRAIN-AWARENESS": "awareness", "TRAIN-SKILLS": "skills",
                  "TRAIN-NATSEC": "national_security", "TRAIN-ANTITERROR": "anti_terror"}
STATUSES = ("ok", "due_soon", "overdue", "missing", "non_compliant")
UNIT_STATUSES = ("compliant", "attention", "non_compliant")


def applies(rule: Rule, unit) -> bool:
    if rule.applies == "all":
        return True
    if rule.applies == "key":
        return unit.key_target or unit.key_security_unit
    if rule.applies == "ksu":
        return unit.key_security_unit
    return unit.key_target


def unit_status(statuses) -> str:
    statuses = set(statuses)
    if statuses & {"overdue", "missing", "non_compliant"}:
        return "non_compliant"
    if "due_soon" in statuses:
        return "attention"
    return "compliant"
