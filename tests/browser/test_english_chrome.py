"""English chrome (issue 8): each role logs in (zh-CN browser), switches to English with the
navbar's language button and walks its menu, plus one level of links from every menu page
(at most 40 pages a role). No page may show Chinese except the users' own data (every string of
every text and JSON column of every row in the database), the brand 安保 and the 中文 button.

The failure lists, per page, the lines that still hold Chinese; a screenshot of every page
visited goes to test-artifacts/."""
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import current_app

from anbao.extensions import db
from drills import outcomes
from tests.browser.journeys import (leftover_chinese, page_text, same_host_links,
                                    switch_to_english, user_data)
from tests.drills.test_views import make_activity
from tests.equipment.test_views import make_item
from tests.hazards.test_views import make_hazard, make_order
from tests.plans.test_views import coordinator_of, make_plan
from tests.reports.test_views import make_report, review
from units.service import today_in

MAX_PAGES = 40
ROLES = ("coordinator_a", "staff_a", "police_a", "supervisor_a", "admin")


def seed(world) -> None:
    """Something on every list, so detail pages are reachable and lists are not just empty
    states: plans, a drill with an outcome and a finding, equipment, hazards and a police
    order, a report returned once and submitted again (notifications for both sides)."""
    unit = world.unit_a
    item = make_item(unit, name="防爆毯", category="restraint", quantity=2, required_quantity=1)
    make_plan(unit, approve=True, equipment_ids=[item.id])
    make_plan(unit, scenario="accident", title="防事故预案")
    zone = ZoneInfo(unit.timezone)
    start = datetime.combine(today_in(unit) - timedelta(days=7), time(9), zone)
    activity = make_activity(unit, start=start, participant_ids=[world.person_a.id],
                             key_part_id=world.key_part_a.id)
    make_activity(unit, kind="training", title="全员消防安全培训", topic="awareness",
                  scenario=None, format=None, start=start + timedelta(days=14),
                  participant_ids=[world.person_a.id])
    with current_app.test_request_context():
        outcomes.record(coordinator_of(unit), activity, {
            "held_from": activity.starts_at, "held_to": activity.ends_at,
            "summary": "整体处置有序。", "evaluator": "李卫国",
            "findings": [{"description": "东门电动门关闭迟缓", "severity": "high",
                          "owner": "王五", "due_date": today_in(unit) + timedelta(days=14)}]})
    db.session.commit()
    make_hazard(unit, description="东侧围栏破损，夜间可翻越")
    make_order(unit, world.police_a, description="监控未覆盖东门",
               due_date=today_in(unit) - timedelta(days=3))
    make_item(world.unit_b, name="灭火器", category="fire", quantity=4, required_quantity=2)
    report = make_report(unit, world.coordinator_a, submitted=True)
    review(report, world.police_a, "return", "请补充整改说明。")
    with current_app.test_request_context():
        from reports import service as reports
        reports.submit(world.coordinator_a, report)
    db.session.commit()


@pytest.mark.parametrize("role", ROLES)
def test_english_pages_show_no_chinese_chrome(world, visit, role):
    seed(world)
    page, base = visit.page, visit.base_url
    page.on("dialog", lambda dialog: dialog.dismiss())  # nothing here is to be confirmed
    visit.login(getattr(world, role))
    switch_to_english(visit)

    menu = same_host_links(page, base, "nav.navbar")
    assert menu, "the navbar has no links"
    queue, seen, texts, broken = list(menu), set(), {}, []
    while queue and len(texts) < MAX_PAGES:
        path = queue.pop(0)
        key = path.split("?")[0]
        if key in seen:
            continue
        seen.add(key)
        head = page.request.get(base + path)
        if "text/html" not in head.headers.get("content-type", ""):
            continue  # a download or a feed
        response = page.goto(base + path)
        if response.status >= 400:
            broken.append(f"{path}: HTTP {response.status}")
        landed = page.url.removeprefix(base)
        if landed in texts:
            continue  # a redirect to a page already read (the brand's / is the home page)
        lang = page.locator("html").get_attribute("lang")
        if lang != "en":
            broken.append(f"{path}: <html lang={lang!r}> after switching to English")
        visit.shot(re.sub(r"\W+", "_", landed.strip("/")) or "home")
        texts[landed] = page_text(page)
        if path in menu:   # one level down from the menu pages
            queue.extend(link for link in same_host_links(page, base, "main")
                         if link.split("?")[0] not in seen)

    allowed = user_data()
    left = {url: snippets for url, text in texts.items()
            if (snippets := leftover_chinese(text, allowed))}
    report = "\n".join(f"{url}:\n    " + "\n    ".join(snippets)
                       for url, snippets in left.items())
    assert not left and not broken, (
        f"{role}: {len(left)} of {len(texts)} English pages show Chinese that is not user "
        f"data:\n{report}\n" + "\n".join(broken))
