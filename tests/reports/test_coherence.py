"""The report pages as the rest of the UI (issue 8): confirmation before what cannot be undone,
filters and pages on the spot checks, dates in the reader's language, the one state badge,
captions and labels, no Chinese glosses in English."""
import io
import re
from datetime import datetime, timedelta, timezone

import pytest

from anbao.extensions import db
from anbao.forms import PAGE_SIZE
from reports.models import SpotCheck
from tests.anbao.test_views import pages  # noqa: F401  (fixture)
from tests.conftest import count_queries
from tests.reports.test_exports import noto  # noqa: F401  (fixture)
from tests.reports.test_views import count, make_report, owing, relogin, review
from units.service import today_in

def _form(html: str, testid: str) -> str:
    match = re.search(r'<form(?=[^>]*data-testid="%s")[^>]*>' % testid, html, re.S)
    assert match, testid
    return match.group(0)


def _check(jurisdiction, drawn_by="police_a", drawn_at=None, category=None):
    check = SpotCheck(jurisdiction_id=jurisdiction.id, count=1, seed=1, candidate_ids=[],
                      unit_ids=[], drawn_by=drawn_by, category=category,
                      drawn_at=drawn_at or datetime.now(timezone.utc))
    db.session.add(check)
    db.session.commit()
    return check


def _shown(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-testid="spot-check" data-spot-check-id="(\d+)"',
                                       html)]


# Confirmation before what cannot be undone

def test_irreversible_forms_ask_for_confirmation(world, pages):
    unit = world.unit_a
    draft = make_report(unit, world.coordinator_a, answered=True)
    pages.login(world.coordinator_a)
    html = pages.html(f"/reports/{draft.id}")
    assert "data-confirm=" in _form(html, "submit-form")
    assert "data-confirm=" not in _form(html, "answers-form")  # saving can be redone
    submitted = make_report(unit, world.coordinator_a,
                            [s for s, _e in owing(unit)][1], submitted=True)
    relogin(pages, world.police_a)
    html = pages.html(f"/reports/{submitted.id}")
    assert "data-confirm=" in _form(html, "accept-form")
    assert "data-confirm=" in _form(html, "return-form")
    html = pages.html(f"/units/{unit.id}/inspections/new")
    assert "data-confirm=" in _form(html, "inspection-form")
    html = pages.html("/spot-checks")
    assert "data-confirm=" in _form(html, "draw-form")
    assert "data-confirm=" not in _form(html, "filters")


# Spot checks: filters and pages

def test_spot_checks_filter_by_year_jurisdiction_category_and_who_drew(world, make, pages):
    old = _check(world.district_a, drawn_at=datetime(2025, 6, 1, 4, tzinfo=timezone.utc))
    station = _check(world.station_a, drawn_by="police_a2", category="school")
    district = _check(world.district_a)
    other = _check(world.district_b, drawn_by="police_b")
    pages.login(world.police_a)
    html = pages.html("/spot-checks")
    assert _shown(html) == [district.id, station.id, old.id]
    assert 'data-testid="filters"' in html and 'id="q-year"' in html
    assert '<option value="2025">2025</option>' in html
    assert "police_b" not in html and "越秀区分局" not in html  # another district's draws
    assert _shown(pages.html("/spot-checks?year=2025")) == [old.id]
    assert _shown(pages.html(f"/spot-checks?jurisdiction_id={world.station_a.id}")) == \
        [station.id]
    assert _shown(pages.html(f"/spot-checks?jurisdiction_id={world.district_a.id}")) == \
        [district.id, station.id, old.id]
    assert _shown(pages.html("/spot-checks?category=school")) == [station.id]
    assert _shown(pages.html("/spot-checks?drawn_by=police_a2")) == [station.id]
    html = pages.html("/spot-checks?drawn_by=nobody")
    assert _shown(html) == [] and 'data-testid="no-match"' in html
    assert 'data-testid="clear-filters"' in html
    # another district's jurisdiction or drawer shows nothing of it
    assert _shown(pages.html(f"/spot-checks?jurisdiction_id={world.district_b.id}")) == \
        [district.id, station.id, old.id]
    assert _shown(pages.html("/spot-checks?drawn_by=police_b")) == []
    relogin(pages, world.police_b)
    assert _shown(pages.html("/spot-checks")) == [other.id]
    assert _shown(pages.html(f"/spot-checks?jurisdiction_id={world.station_a.id}")) == \
        [other.id]


@pytest.mark.parametrize("query", [
    "year=abc", "year=99999", "year=-1", "jurisdiction_id=abc", "jurisdiction_id=99999999999999",
    "category=%00", "drawn_by=" + "x" * 500, "page=abc", "page=-3", "page=99999999",
    "year=2025&page=2", "jurisdiction_id=&category=&drawn_by=&year="])
def test_bad_spot_check_filters_are_ignored(world, pages, query):
    _check(world.district_a)
    pages.login(world.police_a)
    assert pages.get(f"/spot-checks?{query}").status_code == 200


def test_spot_checks_are_paged_in_a_bounded_number_of_statements(world, pages):
    for _i in range(3):
        _check(world.district_a)
    pages.login(world.police_a)
    with count_queries() as few:
        pages.html("/spot-checks")
    for _i in range(PAGE_SIZE):
        _check(world.district_a)
    with count_queries() as many:
        html = pages.html("/spot-checks")
    assert few() == many()
    assert len(_shown(html)) == PAGE_SIZE and 'data-testid="pagination"' in html
    assert 'href="/spot-checks?drawn_by=police_a&amp;page=2"' in \
        pages.html("/spot-checks?drawn_by=police_a")
    assert len(_shown(pages.html("/spot-checks?page=2"))) == 3


# Dates in the reader's language; the one state badge

def test_report_pages_show_dates_in_the_language_chosen(world, pages):
    unit = world.unit_a
    spans = owing(unit)
    report = make_report(unit, world.coordinator_a, spans[-1][0], submitted=True)
    review(report, world.police_a, "return", "请补充")
    start = report.period_start
    pages.login(world.coordinator_a)
    html = pages.html(f"/reports/{report.id}")
    english = f'<time datetime="{start.isoformat()}">{start:%b} {start.day}, {start.year}</time>'
    assert english in html
    assert not re.search(r">\d{4}-\d\d-\d\d[ <]", html)  # no ISO date shown as text
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d[+-]\d\d:\d\d">', html)
    html = pages.html(f"/units/{unit.id}/reports")
    assert english in html and not re.search(r">\d{4}-\d\d-\d\d[ <]", html)
    relogin(pages, world.coordinator_a, language="zh_CN")
    html = pages.html(f"/reports/{report.id}")
    assert f'<time datetime="{start.isoformat()}">{start.year}年{start.month}月{start.day}日' \
           f'</time>' in html


def test_the_overdue_badge_is_the_common_state_badge(world, pages):
    unit = world.unit_a
    spans = owing(unit)
    today = today_in(unit)
    start, end = next((s, e) for s, e in spans if e + timedelta(days=16) < today)
    report = make_report(unit, world.coordinator_a, start)
    pages.login(world.coordinator_a)
    html = pages.html(f"/reports/{report.id}")
    badge = re.search(r'<span class="badge compliance-badge state-badge[^"]*" '
                      r'data-testid="overdue-badge" data-state="overdue">(.*?)</span>', html, re.S)
    assert badge and "Overdue since" in badge.group(1) and "<time datetime=" in badge.group(1)


def test_the_queue_and_spot_checks_show_dates_in_the_language_chosen(world, make, pages):
    unit = world.unit_a
    owing(unit)
    make_report(unit, world.coordinator_a, submitted=True)
    _check(world.district_a, drawn_at=datetime(2026, 3, 1, 1, 5, tzinfo=timezone.utc))
    pages.login(world.police_a)
    html = pages.html("/reports")
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d\+08:00">', html)
    html = pages.html("/reports?overdue=true")
    assert not re.search(r">\d{4}-\d\d-\d\d[ <]", html)
    html = pages.html("/spot-checks")
    assert '<time datetime="2026-03-01T09:05+08:00">Mar 1, 2026 09:05</time>' in html


# The PDF follows the language of the request, in plain text dates

def _pdf_text(pages, report) -> str:
    from pypdf import PdfReader
    response = pages.get(f"/reports/{report.id}/download.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def test_the_pdf_writes_dates_in_its_language(world, pages, noto):  # noqa: F811
    unit = world.unit_a
    spans = owing(unit)
    report = make_report(unit, world.coordinator_a, spans[-1][0], submitted=True)
    start = report.period_start
    pages.login(world.police_a)
    text = _pdf_text(pages, report)
    assert f"{start:%b}{start.day},{start.year}" in text
    # no Chinese gloss in English (the frozen checklist keeps the language it was made in)
    assert "Keysecurityunit" in text and "Keysecurityunit(" not in text
    assert start.isoformat() not in text
    relogin(pages, world.police_a, language="zh_CN")
    text = _pdf_text(pages, report)
    assert f"{start.year}年{start.month}月{start.day}日" in text


# Glosses, captions, labels

def test_english_pages_carry_no_chinese_glosses(world, pages):
    unit = world.unit_a
    unit.key_target = True
    db.session.commit()
    report = make_report(unit, world.coordinator_a)
    pages.login(world.coordinator_a)
    html = pages.html(f"/reports/{report.id}")
    assert "Key target" in html and "Key security unit" in html
    for gloss in ("反恐重点目标", "治安保卫重点单位"):
        assert gloss not in html
    relogin(pages, world.police_a)
    for url in ("/spot-checks", f"/units/{unit.id}/inspections/new"):
        html = pages.html(url)
        for gloss in ("反恐重点目标", "治安保卫重点单位", "十七", "责令限期整改"):
            assert gloss not in html, (url, gloss)


def test_every_table_has_a_caption_or_a_label(world, pages):
    report = make_report(world.unit_a, world.coordinator_a, submitted=True)
    review(report, world.police_a, "return", "请补充")
    pages.login(world.police_a)
    for url in (f"/reports/{report.id}", f"/units/{world.unit_a.id}/reports", "/reports",
                "/reports?overdue=true", f"/reports/{report.id}/compare"):
        html = pages.html(url)
        for table in re.findall(r"<table[^>]*>\s*(?:<caption[^>]*>)?", html):
            assert "aria-label=" in table or "<caption" in table, (url, table)


def test_the_unit_inspections_filter_by_kind(world, pages):
    unit = world.unit_a
    pages.login(world.police_a)
    html = pages.html(f"/units/{unit.id}/reports")
    assert 'data-testid="no-inspections"' in html and 'data-testid="inspection-filters"' not in html
    for kind in ("regular", "special"):
        response = pages.post(f"/units/{unit.id}/inspections/new", data={
            "kind": kind, "inspected_on": today_in(unit).isoformat(), "summary": kind})
        assert response.status_code == 302
    html = pages.html(f"/units/{unit.id}/reports")
    assert count("inspection", html) == 2 and 'data-testid="inspection-filters"' in html
    html = pages.html(f"/units/{unit.id}/reports?kind=special")
    assert count("inspection", html) == 1 and 'data-kind="special"' in html
    html = pages.html(f"/units/{unit.id}/reports?kind=random")
    assert count("inspection", html) == 0 and 'data-testid="no-inspections"' in html
    for bad in ("nonsense", "%00", "x" * 300):
        assert count("inspection", pages.html(f"/units/{unit.id}/reports?kind={bad}")) == 2
    # another district's police never see the unit
    relogin(pages, world.police_b)
    assert pages.get(f"/units/{unit.id}/reports?kind=special").status_code == 404
