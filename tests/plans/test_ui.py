"""The plans pages follow the common UI (issue 8): one state badge, confirmation before an
approval, a label for every field, captions on tables, dates in the reader's language."""
import re
from datetime import timedelta

from anbao.extensions import db
from plans import service as plans
from tests.accessibility import uncaptioned, unlabelled
from tests.anbao.test_views import pages  # noqa: F401  (fixture)
from tests.plans.test_views import coordinator_of, make_plan
from units.service import today_in

CJK = re.compile(r"[\u4e00-\u9fff]")


def two_versions(unit):
    plan = make_plan(unit, approve=True, contacts=[{"role": "总指挥", "name": "陈校长",
                                                     "phone": "110"}])
    draft, _created = plans.update_plan(coordinator_of(unit), plan, {"title": "防暴恐预案（修订）"})
    db.session.commit()
    return plan, draft


def test_review_badges_are_the_common_state_badge(world, pages):
    soon = make_plan(world.unit_a, approve=True)
    late = make_plan(world.unit_a, scenario="accident", approve=True, title="防事故预案")
    today = today_in(world.unit_a)
    soon.review_due = today + timedelta(days=10)
    late.review_due = today - timedelta(days=1)
    db.session.commit()
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/plans")
    assert re.search(r'class="badge compliance-badge state-badge compliance-due_soon[^"]*" '
                     r'data-testid="review-state" data-state="due_soon"', html)
    assert re.search(r'class="badge compliance-badge state-badge compliance-overdue[^"]*" '
                     r'data-testid="review-state" data-state="overdue"', html)
    assert "Review overdue" in html and "Review due within 30 days" in html
    # a scenario without an approved plan: the state "missing", with what it means
    assert html.count('data-testid="no-approved-plan" data-state="missing"') == 3
    assert html.count('data-testid="covered" data-state="ok"') == 2
    html = pages.html(f"/plans/{late.id}")
    assert 'data-testid="review-state" data-state="overdue"' in html


def test_approving_asks_first(world, pages):
    plan = make_plan(world.unit_a)
    pages.login(world.coordinator_a)
    html = pages.html(f"/plans/{plan.id}")
    form = re.search(r'<form[^>]*data-testid="approve-form"[^>]*>', html, re.S).group(0)
    assert 'data-confirm="Approve version 1?' in form and "superseded" in form


def test_every_field_has_a_label_and_every_table_a_caption(world, pages):
    plan, draft = two_versions(world.unit_a)
    pages.login(world.coordinator_a)
    for url in (f"/units/{world.unit_a.id}/plans", f"/units/{world.unit_a.id}/plans/new",
                f"/plans/{plan.id}", f"/plans/{draft.id}", f"/plans/{draft.id}/edit",
                f"/plans/{draft.id}/history", f"/plans/{draft.id}/history?a=1&b=2",
                f"/plans/{plan.id}/print"):
        html = pages.html(url)
        assert unlabelled(html) == [], url
        assert uncaptioned(html) == 0, url


def test_the_history_radios_have_labels(world, pages):
    _plan, draft = two_versions(world.unit_a)
    pages.login(world.coordinator_a)
    html = pages.html(f"/plans/{draft.id}/history")
    for side in ("a", "b"):
        for version in (1, 2):
            assert re.search(r'name="%s" value="%d" id="f-%s-%d"' % (side, version, side, version),
                             html)
            assert f'<label class="visually-hidden" for="f-{side}-{version}">' in html


def test_dates_are_in_the_readers_language(world, pages):
    plan, draft = two_versions(world.unit_a)
    due = plan.review_due
    pages.login(world.coordinator_a)
    english = f'<time datetime="{due.isoformat()}">{due:%b} {due.day}, {due.year}</time>'
    for url in (f"/units/{world.unit_a.id}/plans", f"/plans/{plan.id}",
                f"/plans/{draft.id}/history", f"/plans/{plan.id}/print"):
        assert english in pages.html(url), url
    html = pages.html(f"/plans/{draft.id}/history")
    assert re.search(r'<td class="tabular small"><time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d\+08:00">'
                     r'\w{3} \d{1,2}, \d{4} \d\d:\d\d</time></td>', html)
    pages.post("/language/zh_CN")
    chinese = f'<time datetime="{due.isoformat()}">{due.year}年{due.month}月{due.day}日</time>'
    assert chinese in pages.html(f"/plans/{plan.id}")


def test_the_flash_after_approval_names_the_day_in_words(world, pages):
    plan = make_plan(world.unit_a)
    pages.login(world.coordinator_a)
    from tests.plans.test_views import etag_in
    etag = etag_in(pages.html(f"/plans/{plan.id}"))
    response = pages.post(f"/plans/{plan.id}/approve", {"approved_by": "陈校长", "etag": etag},
                          follow_redirects=True)
    html = response.get_data(as_text=True)
    db.session.expire_all()
    due = db.session.get(type(plan), plan.id).review_due
    assert f"Version 1 approved; review due on {due:%b} {due.day}, {due.year}." in html


def test_no_chinese_in_the_english_chrome(world, pages):
    make_plan(world.unit_a, approve=True, title="Plan")
    pages.login(world.coordinator_a)
    pages.html(f"/units/{world.unit_a.id}/plans")  # the welcome of the log-in is shown
    for url in (f"/units/{world.unit_a.id}/plans",
                f"/units/{world.unit_a.id}/plans/new?scenario=accident&level=onsite"):
        html = pages.html(url)
        # user data, the brand and the language switch's own name are exempt
        chrome = html.replace(world.unit_a.name, "").replace("安保", "")
        chrome = chrome.replace('lang="zh-CN">中文<', "")
        assert not CJK.search(chrome), (url, CJK.findall(chrome)[:20])
