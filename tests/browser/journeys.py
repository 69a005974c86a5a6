"""Helpers shared by the day-in-the-life journeys (issue 8): moving through the pages the way a
person does (the menu, buttons found by data-testid), a second person at another computer, and
the check that an English page shows no Chinese beyond the users' own data."""
import re
from urllib.parse import urlsplit

import sqlalchemy as sa

from anbao.extensions import db
from tests.browser.conftest import Visit

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Chinese the English chrome may show: the brand and the language button
EXEMPT = ("安保", "中文")


def accept_dialogs(page) -> None:
    """Irreversible actions ask window.confirm (forms.js); the person says yes."""
    page.on("dialog", lambda dialog: dialog.accept())


def click(visit: Visit, locator, label: str) -> None:
    """Click something that loads a page, then screenshot it."""
    with visit.page.expect_navigation():
        locator.click()
    visit.shot(label)


def menu(visit: Visit, href: str, label: str) -> None:
    """Follow the main menu entry that links to `href`."""
    click(visit, visit.page.locator(f'#nav a[href="{href}"]'), label)


def log_out(visit: Visit) -> None:
    click(visit, visit.page.locator('form[action="/logout"] button'), "logged-out")


def new_visit(browser, live_server: str, name: str):
    """Another person at another computer: (context, Visit); close the context when done."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900},
                                  timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    page = context.new_page()
    accept_dialogs(page)
    return context, Visit(page, live_server, name)


def switch_to_english(visit: Visit) -> None:
    """The language button in the navbar (a form POST to /language/en)."""
    page = visit.page
    click(visit, page.locator('nav form[action="/language/en"] button'), "english")
    lang = page.locator("html").get_attribute("lang")
    assert lang == "en", f"after the English button the page is still lang={lang!r}"


# --- what the database holds: the users' own words ------------------------------------------

def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def user_data() -> list[str]:
    """Every string with Chinese in a text or JSON column of every row of every table, with
    each of its lines on its own (pages show a multi-line text as paragraphs), longest first."""
    found: set[str] = set()
    db.session.expire_all()
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns
                   if isinstance(c.type, (sa.String, sa.JSON))]
        if not columns:
            continue
        for row in db.session.execute(sa.select(*columns)):
            for value in row:
                for text in _strings(value):
                    if not CJK.search(text):
                        continue
                    found.add(text.strip())
                    found.update(line.strip() for line in text.splitlines())
    found.update(EXEMPT)
    return sorted((s for s in found if s), key=len, reverse=True)


def leftover_chinese(text: str, allowed: list[str]) -> list[str]:
    """The lines of `text` that still hold Chinese once every allowed string is taken out of
    them, each shown whole with the Chinese that is left: `line  [left: 治 卫重点单位]`."""
    snippets = []
    for line in text.splitlines():
        if not CJK.search(line):
            continue
        rest = line
        for string in allowed:
            if string in rest:
                rest = rest.replace(string, " ")
        left = re.findall(r"[\u3400-\u9fff\uf900-\ufaff]+", rest)
        if left:
            snippet = f"{' '.join(line.split())[:160]}  [left: {' '.join(left)}]"
            if snippet not in snippets:
                snippets.append(snippet)
    return snippets


# --- what a page shows ------------------------------------------------------------------------

VISIBLE_TEXT = """() => {
  for (const details of document.querySelectorAll('details')) details.open = true;
  const parts = [document.title, document.body.innerText];
  const shown = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const named = '[placeholder], [title], [aria-label], input[type=submit], input[type=button]';
  for (const el of document.querySelectorAll(named)) {
    for (const name of ['placeholder', 'title', 'aria-label']) {
      const value = el.getAttribute(name);
      if (value && (shown(el) || name === 'aria-label')) parts.push('[' + name + '] ' + value);
    }
    if ((el.type === 'submit' || el.type === 'button') && el.tagName === 'INPUT' && el.value)
      parts.push(el.value);
  }
  return parts.join('\\n');
}"""


def page_text(page) -> str:
    """The page's title, its rendered text (every <details> opened), and the words it shows
    in placeholders, tooltips and accessible names."""
    return page.evaluate(VISIBLE_TEXT)


SKIP_PATH = re.compile(r"(\.(ics|xlsx|pdf|csv|png|jpe?g|svg|zip)$)|^/(logout|language/|static/|"
                       r"api/)|/(download|export|attachments?|files?)(/|$)")


def same_host_links(page, base_url: str, within: str = "body") -> list[str]:
    """The paths (with query) of the links in `within` that stay on this host."""
    host = urlsplit(base_url).netloc
    hrefs = page.eval_on_selector_all(f"{within} a[href]", "els => els.map(e => e.href)")
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme not in ("http", "https") or parts.netloc != host:
            continue
        if SKIP_PATH.search(parts.path):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path not in paths:
            paths.append(path)
    return paths
