"""The self-inspection checklist (DESIGN.md §3; GZ-(七)(八)(十)(十一)(十二), 421号 Art 8):
fixed item ids C01–C18, each answered yes / no / not applicable with a note."""
from flask_babel import lazy_gettext as _l

ITEMS = (
    ("C01", "GZ-(七)", _l("Door duty and patrols are kept up")),
    ("C02", "GZ-(七)", _l("Visitors, vehicles and goods are registered")),
    ("C03", "GZ-(七)", _l("Key parts are patrolled and protected")),
    ("C04", "GZ-(七)", _l("Internal incidents are reported")),
    ("C05", "GZ-(七)", _l("Dangerous goods and important documents are kept safe")),
    ("C06", "GZ-(十)", _l("Safety education is given")),
    ("C07", "421号 Art 8", _l("The internal security ledger is kept")),
    ("C08", "GZ-(八)", _l("Video at entrances, crowded areas and key parts is linked to the "
                          "city platform")),
    ("C09", "反恐怖主义法 Art 32", _l("Video is kept at least 90 days")),
    ("C10", "GZ-(八)", _l("Technical protection is maintained")),
    ("C11", "GZ-(九)(十)", _l("Drills are held as the plans require")),
    ("C12", "GZ-(十)", _l("National security education is given")),
    ("C13", "反恐怖主义法 Art 32", _l("Anti-terrorism work is funded")),
    ("C14", "GZ-(十一)", _l("Security risks are assessed")),
    ("C15", "GZ-(十一)", _l("Security matters are reported to public security")),
    ("C16", "GZ-(十二)", _l("A security budget is provided")),
    ("C17", "GZ-(六)", _l("Guards are insured")),
    ("C18", "GZ-(六)", _l("Guards are equipped")),
)
IDS = tuple(item_id for item_id, _clause, _text in ITEMS)


def shown(answers: dict) -> list[dict]:
    """The checklist as the API gives it, texts in the current language."""
    return [{"id": item_id, "clause": clause, "text": str(text),
             "answer": (answers.get(item_id) or {}).get("answer"),
             "note": (answers.get(item_id) or {}).get("note", "")}
            for item_id, clause, text in ITEMS]


def unanswered(answers: dict) -> list[str]:
    return [item_id for item_id in IDS if not (answers.get(item_id) or {}).get("answer")]
