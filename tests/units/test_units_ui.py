"""Issue 8 on the unit pages: breadcrumbs, filters and paging, confirmations, localized dates,
state badges, table captions."""
import re
from datetime import date

import pytest

from tests.anbao.test_views import pages  # noqa: F401  (fixture)
from tests.conftest import count_queries


def rows(html: str, testid: str, attr: str) -> list[str]:
    return re.findall(r'data-testid="%s"[^>]*?%s="([^"]+)"' % (testid, attr), html)


def crumbs(html: str) -> str:
    start = html.index('data-testid="breadcrumbs"')
    return html[start:html.index("</nav>", start)]


# Breadcrumbs

@pytest.mark.parametrize("role, url", [
    ("admin", "/units"), ("admin", "/jurisdictions"), ("police_a", "/units/{unit}"),
    ("coordinator_a", "/units/{unit}/people"), ("coordinator_a", "/units/{unit}/edit"),
    ("coordinator_a", "/people/{person}/edit"), ("coordinator_a", "/units/{unit}/key-parts/new")])
def test_every_unit_page_has_breadcrumbs(world, pages, role, url):
    pages.login(getattr(world, role))
    html = pages.html(url.format(unit=world.unit_a.id, person=world.person_a.id))
    assert 'aria-current="page"' in crumbs(html)


# People: filters and paging

def test_people_filter_by_role_and_name(world, make, pages):
    guard = make.person(world.unit_a, name="赵保安", role="guard")
    other = make.person(world.unit_a, name="钱老师", role="staff")
    pages.login(world.coordinator_a)
    url = f"/units/{world.unit_a.id}/people"
    html = pages.html(url)
    assert 'data-testid="people-filters"' in html
    assert set(rows(html, "person-row", "data-person-id")) == {
        str(world.person_a.id), str(guard.id), str(other.id)}
    html = pages.html(url + "?role=guard")
    assert rows(html, "person-row", "data-person-id") == [str(guard.id)]
    assert '<option value="guard" selected>' in html
    html = pages.html(url + "?q=" + "钱")
    assert rows(html, "person-row", "data-person-id") == [str(other.id)]
    # a filter nobody matches says what to do
    html = pages.html(url + "?q=nobody")
    assert 'data-testid="empty-state"' in html and 'data-testid="clear-filters"' in html


def test_people_bad_filters_are_ignored(world, pages):
    pages.login(world.coordinator_a)
    url = f"/units/{world.unit_a.id}/people"
    for query in ("?role=boss", "?role=", "?q=%25", "?page=abc", "?page=-3", "?include_left=x"):
        response = pages.get(url + query)
        assert response.status_code == 200, query
    html = pages.html(url + "?role=boss")
    assert str(world.person_a.id) in rows(html, "person-row", "data-person-id")
    # a % is a character, not a wildcard
    assert rows(pages.html(url + "?q=%25"), "person-row", "data-person-id") == []


def test_people_filters_keep_the_scope(world, make, pages):
    pages.login(world.coordinator_a)
    assert pages.get(f"/units/{world.unit_b.id}/people?role=guard").status_code == 404
    pages.client.post("/logout", data={"csrf_token": pages.token})
    pages.login(world.police_b)
    assert pages.get(f"/units/{world.unit_a.id}/people?q=李").status_code == 404
    html = pages.html(f"/units/{world.unit_b.id}/people?role=guard")
    assert rows(html, "person-row", "data-person-id") == [str(world.person_b.id)]


def test_people_are_paginated_with_the_filter_kept(world, make, pages):
    for i in range(55):
        make.person(world.unit_a, name=f"保安{i:02d}", role="guard")
    pages.login(world.coordinator_a)
    url = f"/units/{world.unit_a.id}/people?role=guard"
    with count_queries() as n:
        first = pages.html(url)
    assert n() < 25
    assert first.count('data-testid="person-row"') == 50
    assert 'data-testid="pagination"' in first
    assert "role=guard" in re.search(r'href="([^"]*page=2[^"]*)"', first).group(1)
    second = pages.html(url + "&page=2")
    assert second.count('data-testid="person-row"') == 5
    past = pages.html(url + "&page=9")
    assert 'data-testid="empty-state"' in past


# Jurisdictions: filter and paging

def test_jurisdictions_filter_keeps_the_tree_readable(world, pages):
    pages.login(world.admin)
    html = pages.html("/jurisdictions?q=石牌")
    shown = dict(re.findall(r'data-jurisdiction-id="(\d+)" data-match="(\w+)"', html))
    # the match and the jurisdictions above it, in tree order; 越秀 is left out
    assert shown == {str(world.city.id): "false", str(world.district_a.id): "false",
                     str(world.station_a.id): "true"}
    assert "越秀区分局" not in html.split('data-testid="jurisdiction-tree"')[1].split("</table>")[0]
    assert html.index("广州市公安局") < html.index("天河区分局") < html.index("石牌派出所")
    by_code = pages.html("/jurisdictions?q=b")  # codes match too, case-insensitively
    assert dict(re.findall(r'data-jurisdiction-id="(\d+)" data-match="(\w+)"', by_code))[
        str(world.district_b.id)] == "true"
    none = pages.html("/jurisdictions?q=nowhere")
    assert 'data-testid="empty-state"' in none and 'data-testid="clear-filters"' in none


def test_jurisdictions_filter_stays_in_scope(world, pages):
    pages.login(world.police_a)
    html = pages.html("/jurisdictions?q=越秀")
    assert 'data-testid="jurisdiction-row"' not in html
    assert pages.get("/jurisdictions?q=%25&page=x").status_code == 200


def test_jurisdictions_are_paginated(world, make, pages):
    for i in range(60):
        make.jurisdiction(f"派出所{i:02d}", f"P{i:02d}", world.district_b)
    pages.login(world.admin)
    first = pages.html("/jurisdictions")
    assert first.count('data-testid="jurisdiction-row"') == 50
    assert 'data-testid="pagination"' in first
    second = pages.html("/jurisdictions?page=2")
    assert second.count('data-testid="jurisdiction-row"') == 64 - 50


# Confirmation, dates, badges, captions

def test_recording_leaving_asks_for_confirmation(world, pages):
    pages.login(world.coordinator_a)
    html = pages.html(f"/people/{world.person_a.id}/edit")
    form = re.search(r'<form[^>]*action="/people/%d/leave"[^>]*>' % world.person_a.id, html,
                     re.S).group(0)
    assert "data-confirm=" in form and "李卫国" in form


def test_dates_follow_the_language(world, make, pages):
    unit = make.unit(world.station_a, name="日期单位", key_security_unit=True,
                     key_since=date(2027, 3, 1))
    pages.login(world.admin, language="en")
    html = pages.html(f"/units/{unit.id}")
    assert '<time datetime="2027-03-01">Mar 1, 2027</time>' in html
    pages.post("/language/zh_CN")
    html = pages.html(f"/units/{unit.id}")
    assert '<time datetime="2027-03-01">2027年3月1日</time>' in html
    listing = pages.html(f"/units?q=日期")
    assert '<time datetime="2027-03-01">2027年3月1日</time>' in listing
    # the form keeps the ISO value
    assert 'value="2027-03-01"' in pages.html(f"/units/{unit.id}/edit")


def test_staffing_uses_the_state_badges(world, make, pages):
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}")
    assert re.search(r'data-testid="staffing-overall" data-state="non_compliant"', html)
    assert re.search(r'data-testid="requirement-status" data-state="missing"', html)
    make.person(world.unit_b, name="甲", role="security_full_time")
    make.person(world.unit_b, name="乙", role="security_part_time")
    pages.client.post("/logout", data={"csrf_token": pages.token})
    pages.login(world.coordinator_b)
    html = pages.html(f"/units/{world.unit_b.id}")
    assert re.search(r'data-testid="staffing-overall" data-state="compliant"', html)
    assert re.search(r'data-testid="requirement-status" data-state="ok"', html)


def test_tables_have_captions(world, make, pages):
    make.key_part(world.unit_a, name="化学实验室", video_retention_days=30)
    pages.login(world.admin)
    for url in ("/units", "/jurisdictions", f"/units/{world.unit_a.id}",
                f"/units/{world.unit_a.id}/people"):
        html = pages.html(url)
        assert html.count("<table") == html.count("<caption"), url
    html = pages.html(f"/units/{world.unit_a.id}")
    assert re.search(r'data-testid="retention-short" data-state="non_compliant"', html)


def test_english_glosses_are_gone(world, pages):
    pages.login(world.admin, language="en")
    html = pages.html("/units/new") + pages.html(f"/people/{world.person_a.id}/edit") \
        + pages.html(f"/units/{world.unit_a.id}")
    for gloss in ("第一责任人", "治安保卫重点单位", "反恐重点目标", "保安员证", "GZ-(六),"):
        assert gloss not in html
