"""What every page owes screen readers: a label for each form field (a <label for> or an
aria-label) and a caption or aria-label for each table. The navigation crawl checks every page
with these; a package's tests may check its own pages too."""
from html.parser import HTMLParser


class _Fields(HTMLParser):
    """The form fields of a page and the ids its <label for> name."""

    def __init__(self):
        super().__init__()
        self.fields, self.labelled, self.tables = [], set(), []
        self._table = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "label" and a.get("for"):
            self.labelled.add(a["for"])
        elif tag in ("input", "select", "textarea") and a.get("type") not in (
                "hidden", "submit", "button", "reset"):
            self.fields.append(a)
        elif tag == "table":
            self._table = {"aria": bool(a.get("aria-label") or a.get("aria-labelledby")),
                           "caption": False}
            self.tables.append(self._table)
        elif tag == "caption" and self._table is not None:
            self._table["caption"] = True


def unlabelled(html: str) -> list[str]:
    """Fields of the page without a <label for> or an aria-label (their names)."""
    parser = _Fields()
    parser.feed(html)
    return [f.get("name") or f.get("id") or "?" for f in parser.fields
            if f.get("id") not in parser.labelled
            and not f.get("aria-label") and not f.get("aria-labelledby")]


def uncaptioned(html: str) -> int:
    """How many tables of the page have neither a caption nor an aria-label."""
    parser = _Fields()
    parser.feed(html)
    return sum(1 for t in parser.tables if not t["caption"] and not t["aria"])
