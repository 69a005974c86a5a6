"""Pages of compliance (compliance.views): a unit's dashboard with what to do next, the
jurisdiction's overview with its filters, chart and pages, the home page and the menu."""
import html as markup
import re
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta

from plans.models import SCENARIOS
from tests.anbao.test_views import pages  # noqa: F401  (fixture)
from tests.conftest import count_queries
from tests.equipment.test_views import make_item
from tests.hazards.test_views import make_hazard
from tests.plans.test_views import make_plan
from units.service import today_in


def items(html: str) -> list[dict]:
    """Each item card of the dashboard: its rule, status, subject and next-step links."""
    found = []
    for card in re.findall(r'<article class="card compliance-item.*?</article>', html, re.S):
        attrs = dict(re.findall(r'data-(rule|status|subject)="([^"]*)"', card.split(">")[0]))
        attrs["steps"] = [markup.unescape(url) for url in
                          re.findall(r'href="([^"]+)" data-testid="next-step"', card)]
        found.append(attrs)
    return found


def of(found: list[dict], rule: str, subject: str | None = None) -> dict:
    return next(i for i in found if i["rule"] == rule
                and (subject is None or i.get("subject") == subject))


def rows(html: str) -> dict[str, str]:
    """Unit id → status of the overview's table rows."""
    return dict(re.findall(r'data-testid="compliance-row" data-unit-id="(\d+)" '
                           r'data-status="(\w+)"', html))


def relogin(pages, user, language="en"):
    if pages.token:
        pages.post("/logout")
    pages.login(user, language=language)


def compliant_unit(make, jurisdiction, name="合规企业"):
    """A unit that meets every rule today: not a key unit, two security staff."""
    unit = make.unit(jurisdiction, name=name, headcount=100)
    make.person(unit, name="甲", role="security_part_time")
    make.person(unit, name="乙", role="security_part_time")
    return unit


# Who sees what

@pytest.mark.parametrize("role, status", [
    ("coordinator_a", 200), ("police_a", 200), ("supervisor_a", 200), ("admin", 200),
    ("staff_a", 403), ("coordinator_b", 404), ("police_b", 404)])
def test_the_dashboard_fits_the_role_and_scope(world, pages, role, status):
    pages.login(getattr(world, role))
    pages.html(f"/units/{world.unit_a.id}/compliance", status=status)


def test_the_supervisor_sees_no_unit_outside_its_sectors(world, pages):
    pages.login(world.supervisor_a)
    pages.html(f"/units/{world.other_unit_a.id}/compliance", status=404)


@pytest.mark.parametrize("role, status", [
    ("admin", 200), ("police_a", 200), ("supervisor_a", 200), ("coordinator_a", 403),
    ("staff_a", 403)])
def test_the_overview_and_its_export_fit_the_role(world, pages, role, status):
    pages.login(getattr(world, role))
    pages.html("/compliance", status=status)
    assert pages.get("/compliance.xlsx").status_code == status


@pytest.mark.parametrize("role, seen", [
    ("admin", {"unit_a", "other_unit_a", "unit_b"}), ("police_a", {"unit_a", "other_unit_a"}),
    ("police_b", {"unit_b"}), ("supervisor_a", {"unit_a"})])
def test_the_overview_lists_the_units_in_scope(world, pages, role, seen):
    pages.login(getattr(world, role))
    html = pages.html("/compliance")
    assert set(rows(html)) == {str(getattr(world, name).id) for name in seen}


# Home, menu, unit page

@pytest.mark.parametrize("role, link, absent", [
    ("admin", "/compliance", None), ("police_a", "/compliance", None),
    ("supervisor_a", "/compliance", None),
    ("coordinator_a", "/units/{unit}/compliance", "/compliance"),
    ("staff_a", None, "/units/{unit}/compliance")])
def test_the_menu_leads_to_compliance(world, pages, role, link, absent):
    pages.login(getattr(world, role))
    html = pages.html(f"/units/{world.unit_a.id}")
    start = html.index('<ul class="navbar-nav')
    nav = html[start:html.index("</ul>", start)]
    if link:
        assert 'href="%s"' % link.format(unit=world.unit_a.id) in nav
    if absent:
        assert 'href="%s"' % absent.format(unit=world.unit_a.id) not in nav
    if role == "coordinator_a":
        assert 'href="/units/%d"' % world.unit_a.id in nav  # "My unit" stays, for the profile


def test_the_menu_marks_compliance_active(world, pages):
    pages.login(world.police_a)
    html = pages.html(f"/units/{world.unit_a.id}/compliance")
    assert re.search(r'class="nav-link active"\s+aria-current="page" href="/compliance"', html)
    relogin(pages, world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/compliance")
    assert re.search(r'class="nav-link active"\s+aria-current="page" href="/units/%d/compliance"'
                     % world.unit_a.id, html)


def test_the_unit_page_shows_the_compliance_status(world, pages):
    pages.login(world.police_a)
    html = pages.html(f"/units/{world.unit_a.id}")
    assert f'href="/units/{world.unit_a.id}/compliance" data-testid="compliance-link"' in html
    assert re.search(r'data-testid="compliance-status" data-status="non_compliant"', html)
    relogin(pages, world.staff_a)
    assert 'data-testid="compliance-link"' not in pages.html(f"/units/{world.unit_a.id}")


# The dashboard

def test_the_dashboard_shows_each_item_with_its_next_step(world, pages, make):
    unit = world.unit_a
    today = today_in(unit)
    plan = make_plan(unit, "terror_attack", approve=True)
    make_hazard(unit, due_date=today - timedelta(days=3))
    make_item(unit, expires_on=today - timedelta(days=1), quantity=6)
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{unit.id}/compliance")
    found = items(html)
    assert re.search(r'data-testid="unit-status" data-status="non_compliant"', html)
    # PLAN-SET: one per scenario; the missing ones lead to a new plan of that scenario
    plan_set = [i for i in found if i["rule"] == "PLAN-SET"]
    assert sorted(i["subject"] for i in plan_set) == sorted(SCENARIOS)
    for scenario in SCENARIOS:
        item = of(found, "PLAN-SET", scenario)
        if scenario == "terror_attack":
            assert item["status"] == "ok"
        else:
            assert item["status"] == "missing"
            assert item["steps"] == [f"/units/{unit.id}/plans/new?scenario={scenario}"]
    assert of(found, "PLAN-REVIEW", str(plan.id))["steps"] == [f"/plans/{plan.id}"]
    assert of(found, "DRILL-PLAN", "terror_attack")["status"] == "ok"
    hazard = of(found, "HAZARD")
    assert hazard["status"] == "overdue"
    assert hazard["steps"] == [f"/units/{unit.id}/hazards?overdue=true"]
    equipment = of(found, "EQUIPMENT")
    assert equipment["status"] == "non_compliant"
    assert equipment["steps"] == [f"/units/{unit.id}/equipment?alert=expired"]
    staffing = of(found, "STAFFING")
    assert staffing["status"] == "non_compliant"
    assert staffing["steps"][0] == f"/units/{unit.id}/people"
    assert f"/units/{unit.id}#staffing-heading" in staffing["steps"]
    for rule in ("TRAIN-AWARENESS", "TRAIN-SKILLS", "TRAIN-NATSEC"):
        assert of(found, rule)["status"] == "ok"
    assert "TRAIN-ANTITERROR" not in {i["rule"] for i in found}  # not a key target
    # words: titles, clauses, scenario labels, the detail, days overdue
    assert "GZ-(9); Plan Measures Art 6" in markup.unescape(html)  # the clause, in English
    assert "Theft and robbery" in html
    assert "3 days overdue" in html
    # worst first, the items in order collapsed
    statuses = [i["status"] for i in found]
    assert statuses.index("ok") > max(statuses.index(s) for s in ("overdue", "missing",
                                                                  "non_compliant"))
    assert html.index('data-testid="open-items"') < html.index('data-testid="ok-items"')
    assert re.search(r'<details class="mt-3 ok-items" data-testid="ok-items">', html)
    counts = dict(re.findall(r'data-testid="status-count" data-status="(\w+)" '
                             r'data-count="(\d+)"', html))
    assert counts == {"overdue": "1", "missing": "4", "non_compliant": "2", "due_soon": "0",
                      "ok": str(len(found) - 7)}


def test_as_of_changes_the_statuses_and_the_next_steps(world, pages):
    unit = world.unit_a
    make_plan(unit, "terror_attack", approve=True)
    pages.login(world.coordinator_a)
    soon = today_in(unit) + relativedelta(months=12) - timedelta(days=10)
    found = items(pages.html(f"/units/{unit.id}/compliance?as_of={soon}"))
    assert of(found, "TRAIN-NATSEC")["status"] == "due_soon"
    assert of(found, "DRILL-PLAN", "terror_attack")["status"] == "due_soon"
    later = today_in(unit) + relativedelta(months=13)
    html = pages.html(f"/units/{unit.id}/compliance?as_of={later}")
    assert f'value="{later}"' in html and f'as of <time datetime="{later}">' in html
    found = items(html)
    natsec = of(found, "TRAIN-NATSEC")
    assert natsec["status"] == "overdue"
    assert natsec["steps"] == [f"/units/{unit.id}/activities/new?kind=training"
                               "&topic=national_security"]
    drill = of(found, "DRILL-PLAN", "terror_attack")
    assert drill["status"] == "overdue"
    assert drill["steps"] == [f"/units/{unit.id}/activities/new?kind=drill"
                              "&scenario=terror_attack"]
    # a date that is not one is ignored: today
    today_html = pages.html(f"/units/{unit.id}/compliance?as_of=someday")
    assert of(items(today_html), "TRAIN-NATSEC")["status"] == "ok"


def test_readers_get_links_to_look_not_to_write(world, pages):
    unit = world.unit_a
    pages.login(world.police_a)
    found = items(pages.html(f"/units/{unit.id}/compliance"))
    assert of(found, "PLAN-SET", "sabotage")["steps"] == [f"/units/{unit.id}/plans"]
    assert of(found, "STAFFING")["steps"] == [f"/units/{unit.id}#staffing-heading"]
    assert all("/new" not in url for i in found for url in i["steps"])


def test_a_compliant_unit_says_there_is_nothing_to_do(world, pages, make):
    unit = compliant_unit(make, world.district_a)
    coordinator = make.user("coordinator", "coordinator_ok", unit_id=unit.id)
    pages.login(coordinator)
    html = pages.html(f"/units/{unit.id}/compliance")
    assert re.search(r'data-testid="unit-status" data-status="compliant"', html)
    assert 'data-testid="nothing-to-do"' in html
    assert '<details class="mt-3 ok-items" data-testid="ok-items" open>' in html


def test_the_dashboard_keeps_to_the_content_security_policy(world, pages):
    pages.login(world.coordinator_a)
    for url in (f"/units/{world.unit_a.id}/compliance", f"/units/{world.unit_a.id}"):
        html = pages.html(url)
        assert "style=" not in html and "<style" not in html, url
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
    relogin(pages, world.admin)
    html = pages.html("/compliance")
    assert "style=" not in html and "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


# The overview

def test_the_overview_filters_by_status_jurisdiction_and_date(world, pages, make):
    ok = compliant_unit(make, world.station_a)
    pages.login(world.admin)
    html = pages.html("/compliance")
    assert rows(html) == {str(world.unit_a.id): "non_compliant",
                          str(world.other_unit_a.id): "non_compliant",
                          str(world.unit_b.id): "non_compliant", str(ok.id): "compliant"}
    tiles = dict(re.findall(r'data-testid="status-tile" data-status="(\w+)" '
                            r'data-count="(\d+)"', html))
    assert tiles == {"all": "4", "compliant": "1", "attention": "0", "non_compliant": "3"}
    assert rows(pages.html("/compliance?status=compliant")) == {str(ok.id): "compliant"}
    assert set(rows(pages.html(f"/compliance?jurisdiction_id={world.district_b.id}"))) \
        == {str(world.unit_b.id)}
    assert set(rows(pages.html(f"/compliance?jurisdiction_id={world.station_a.id}"))) \
        == {str(world.unit_a.id), str(ok.id)}
    soon = today_in(ok) + relativedelta(months=12) - timedelta(days=5)
    html = pages.html(f"/compliance?as_of={soon}&status=attention")
    assert rows(html) == {str(ok.id): "attention"}
    assert f'href="/units/{ok.id}/compliance?as_of={soon}"' in html
    # the filter select offers the jurisdictions in scope only
    relogin(pages, world.police_a)
    html = pages.html("/compliance")
    options = re.search(r'<select[^>]*name="jurisdiction_id".*?</select>', html, re.S).group(0)
    assert f'value="{world.station_a.id}"' in options
    assert f'value="{world.district_b.id}"' not in options
    # one outside the scope is ignored, as any invalid value
    assert set(rows(pages.html(f"/compliance?jurisdiction_id={world.district_b.id}"))) \
        == {str(world.unit_a.id), str(world.other_unit_a.id), str(ok.id)}


def test_the_table_names_the_place_category_and_counts(world, pages):
    pages.login(world.admin)
    html = pages.html("/compliance")
    row = re.search(r'data-unit-id="%d".*?</tr>' % world.unit_a.id, html, re.S).group(0)
    assert f'href="/units/{world.unit_a.id}/compliance"' in row
    assert "天河区分局 · 石牌派出所" in row and "School" in row
    counts = dict(re.findall(r'data-testid="count-(\w+)">(\d+)<', row))
    assert counts == {"overdue": "0", "due_soon": "0", "missing": "5", "non_compliant": "1"}


def test_the_chart_has_one_bar_per_district(world, pages, make):
    compliant_unit(make, world.station_a)
    pages.login(world.admin)
    html = pages.html("/compliance")
    assert '<svg class="compliance-chart"' in html and 'role="img"' in html
    bars = re.findall(r'data-testid="chart-bar" data-district="([^"]+)" data-total="(\d+)"',
                      html)
    assert bars == [("天河区分局", "3"), ("越秀区分局", "1")]
    segments = re.findall(r'data-testid="chart-segment" data-status="(\w+)" data-count="(\d+)"',
                          html)
    assert segments == [("compliant", "1"), ("non_compliant", "2"), ("non_compliant", "1")]
    assert 'fill="#157347"' in html and 'fill="#b02a37"' in html  # the badges' colours
    assert ">天河区分局</text>" in html and "3 units" in html
    relogin(pages, world.police_b)
    bars = re.findall(r'data-testid="chart-bar" data-district="([^"]+)"',
                      pages.html("/compliance"))
    assert bars == ["越秀区分局"]


def test_the_overview_pages_its_rows(world, pages, make):
    for n in range(52):
        make.unit(world.district_b, name=f"单位{n:02d}")
    pages.login(world.police_b)
    first = pages.html("/compliance")
    assert len(rows(first)) == 50 and 'data-testid="pagination"' in first
    second = pages.html("/compliance?page=2")
    assert len(rows(second)) == 3


def test_the_overview_runs_the_same_statements_for_3_and_15_units(world, pages, make):
    pages.login(world.admin)

    def statements():
        pages.html("/compliance")  # warm
        with count_queries() as n:
            pages.html("/compliance")
        return n()

    few = statements()
    for k in range(12):
        unit = make.unit(world.station_a if k % 2 else world.district_b, name=f"单位{k}",
                         category="school", key_security_unit=True,
                         campuses=[{"name": "本部", "population": 300, "boarding_students": 0}])
        make.person(unit, role="security_full_time")
        make_item(unit)
        make_hazard(unit)
        make_plan(unit, approve=True)
    assert statements() == few
