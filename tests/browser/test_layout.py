"""The layout where users are: on a phone (390 px) and a laptop (1024, 1280 px) no page of the
demo scrolls sideways, and no item of the main navigation breaks inside its words."""
import pytest
import sqlalchemy as sa

from anbao import demo
from anbao.extensions import db
from reports.models import Report
from units.models import Unit

PAGES = {
    "coordinator": ("/", "/units/{school}", "/units/{school}/people",
                    "/units/{school}/equipment", "/units/{school}/activities",
                    "/units/{school}/hazards", "/units/{school}/plans",
                    "/units/{school}/reports", "/reports/{report}", "/notifications", "/units"),
    "staff": ("/", "/units/{school}/activities", "/me/calendar", "/notifications"),
    "police": ("/", "/units", "/hazards", "/compliance", "/reports", "/spot-checks"),
}
WHOLE_ITEMS = """() => Array.from(document.querySelectorAll('.navbar .nav-link'))
    .filter(a => a.offsetParent !== null)
    .every(a => a.getClientRects().length === 1 && a.offsetHeight < 2.2 * parseFloat(
        getComputedStyle(a).lineHeight))"""


@pytest.mark.parametrize("width", [390, 1024, 1280])
def test_no_page_scrolls_sideways_and_the_navigation_stays_whole(browser, live_server, width):
    demo.load()
    school = db.session.scalar(sa.select(Unit.id).where(Unit.category == "school"))
    report = db.session.scalar(sa.select(Report.id).where(Report.unit_id == school)
                               .order_by(Report.id))
    for username, paths in PAGES.items():
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 800},
                                      timezone_id="Asia/Shanghai")
        page = context.new_page()
        try:
            page.goto(live_server + "/login")
            page.fill("#username", username)
            page.fill("#password", demo.PASSWORD)
            with page.expect_navigation():
                page.click("[data-testid=login-submit]")
            for path in paths:
                path = path.format(school=school, report=report)
                response = page.goto(live_server + path)
                assert response.status == 200, (username, path)
                scroll = page.evaluate("document.documentElement.scrollWidth")
                assert scroll <= width, (username, path, width, scroll)
                assert page.evaluate(WHOLE_ITEMS), (username, path, width)
        finally:
            context.close()


def test_the_keyboard_skips_to_the_content_and_reaches_every_menu_item(world, visit):
    """Tab first lands on "skip to content", which moves the focus past the menu; tabbing on
    from the top reaches each menu item, each with a visible focus ring."""
    visit.login(world.police_a)
    page = visit.page
    page.goto(visit.base_url + "/dashboard")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    assert page.evaluate("document.activeElement.offsetHeight") > 0  # shown when focused
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    menu = page.evaluate("Array.from(document.querySelectorAll('.navbar-nav .nav-link'))"
                         ".map(a => a.getAttribute('href'))")
    page.goto(visit.base_url + "/dashboard")
    reached = []
    for _step in range(len(menu) + 3):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.getAttribute('href')"))
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle + "
                                "getComputedStyle(document.activeElement).boxShadow")
        assert outline not in ("nonenone", "none"), reached[-1]
    assert set(menu) <= set(reached), (menu, reached)
    visit.shot("keyboard")
