"""zh_CN is complete: every message in the code has a Chinese translation, compiled."""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "anbao" / "translations" / "zh" / "LC_MESSAGES"
METHODS = [("anbao/**.py", "python"), ("units/**.py", "python"), ("plans/**.py", "python"),
           ("equipment/**.py", "python"), ("hazards/**.py", "python"),
           ("drills/**.py", "python"), ("compliance/**.py", "python"),
           ("scheduler/**.py", "python"), ("reports/**.py", "python"), ("templates/**.html", "jinja2"),
           ("templates/**.txt", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), METHODS, keywords=KEYWORDS, options_map={"templates/**.html": {}, "templates/**.txt": {}}):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _po():
    with open(CATALOG / "messages.po", "rb") as handle:
        return read_po(handle, locale="zh")


def test_every_message_in_the_code_is_translated():
    catalog = _po()
    missing = sorted(m for m in _source_messages()
                     if m not in catalog or not catalog[m].string or catalog[m].fuzzy)
    assert missing == [], f"untranslated (run pybabel extract/update, see README): {missing}"


def test_compiled_catalog_matches_the_po_file():
    with open(CATALOG / "messages.mo", "rb") as handle:
        compiled = read_mo(handle)
    source = _po()
    for message in source:
        if message.id and message.string and not message.fuzzy:
            # babel reads a plural's forms as a list from .mo files, a tuple from .po files
            found = compiled[message.id].string
            assert (tuple(found) if isinstance(found, list) else found) == message.string, \
                f"messages.mo is stale for {message.id!r}: run pybabel compile"


def test_placeholders_survive_translation():
    import re
    pattern = re.compile(r"%\((\w+)\)s")
    for message in _po():
        if message.id and message.string and isinstance(message.id, str):
            assert set(pattern.findall(message.id)) == set(pattern.findall(message.string)), \
                message.id
