"""The home page of those who oversee units (compliance.home): units by status, the review
queue, overdue orders, escalations, the admin's tiles; each in scope, in a bounded number of
statements."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from anbao.auth.models import User
from anbao.extensions import db
from hazards import service as hazards
from tests.anbao.test_views import pages  # noqa: F401  (fixture)
from tests.conftest import count_queries
from tests.drills.test_views import at, make_activity
from tests.hazards.test_views import days, make_hazard, make_order
from tests.reports.test_views import make_report, owing, relogin
from units.models import Jurisdiction
from units.service import today_in


def panel(html: str, name: str) -> str:
    start = html.index(f'data-testid="panel-{name}"')
    return html[start:html.index("</section>", start)]


def count_of(html: str, name: str) -> int:
    return int(re.search(rf'data-testid="panel-{name}" data-count="(\d+)"', html).group(1))


@pytest.mark.parametrize("role", ["police_a", "supervisor_a", "admin"])
def test_those_who_oversee_land_on_the_dashboard(world, pages, role):
    pages.login(getattr(world, role))
    response = pages.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    html = pages.html("/dashboard")
    assert 'data-testid="unit-status-counts"' in html
    assert 'aria-current="page" href="/dashboard"' in html  # the menu's first item


@pytest.mark.parametrize("role", ["coordinator_a", "staff_a"])
def test_a_unit_is_sent_to_its_own_home(world, pages, role):
    pages.login(getattr(world, role))
    response = pages.get("/dashboard")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_the_police_see_their_queue_orders_and_escalations(world, pages):
    report = make_report(world.unit_a, world.coordinator_a, submitted=True)
    make_report(world.unit_b, world.coordinator_b, submitted=True)  # another district
    late = make_order(world.unit_a, world.police_a, due_date=days(world.unit_a, 5))
    late.due_date = days(world.unit_a, -3)
    make_order(world.unit_a, world.police_a)  # not yet due
    escalated = make_hazard(world.unit_a)
    hazards.escalate(world.coordinator_a, escalated, "police", "需要公安协调")
    db.session.commit()

    pages.login(world.police_a)
    html = pages.html("/dashboard")
    queue = panel(html, "queue")
    assert count_of(html, "queue") == 1
    assert f'data-report-id="{report.id}"' in queue and world.unit_b.name not in queue
    assert 'href="/reports?status=submitted"' in queue
    orders = panel(html, "orders")
    assert count_of(html, "orders") == 1 and f'data-hazard-id="{late.id}"' in orders
    assert 'href="/hazards?overdue=true&amp;order=true"' in orders
    assert count_of(html, "escalations") == 1
    assert f'data-hazard-id="{escalated.id}"' in panel(html, "escalations")

    relogin(pages, world.police_b)  # the other district sees none of it
    html = pages.html("/dashboard")
    assert count_of(html, "queue") == 1 and f'data-report-id="{report.id}"' not in html
    assert count_of(html, "orders") == 0 and count_of(html, "escalations") == 0
    assert 'data-testid="order-empty"' in html


def test_the_supervisor_sees_escalations_to_the_supervisor_only(world, pages):
    to_police = make_hazard(world.unit_a)
    to_supervisor = make_hazard(world.unit_a, description="消防通道堵塞")
    hazards.escalate(world.coordinator_a, to_police, "police", "甲")
    hazards.escalate(world.coordinator_a, to_supervisor, "supervisor", "乙")
    db.session.commit()
    pages.login(world.supervisor_a)
    html = panel(pages.html("/dashboard"), "escalations")
    assert f'data-hazard-id="{to_supervisor.id}"' in html
    assert f'data-hazard-id="{to_police.id}"' not in html
    assert 'href="/hazards?escalated_to=supervisor&amp;acknowledged=false"' in html


def test_the_admin_sees_accounts_jurisdictions_and_rule_settings(world, pages):
    pages.login(world.admin)
    html = pages.html("/dashboard")
    assert 'data-testid="admin-users"' in html and 'href="/users"' in html
    users = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    places = db.session.scalar(sa.select(sa.func.count()).select_from(Jurisdiction))
    assert f'data-testid="admin-users" data-count="{users}"' in html and users > 5
    assert f'data-testid="admin-jurisdictions" data-count="{places}"' in html and places > 3
    assert 'href="/compliance/settings"' in html and 'href="/jurisdictions"' in html
    assert 'data-testid="panel-escalations"' not in html
    relogin(pages, world.police_a)
    assert 'data-testid="administration"' not in pages.html("/dashboard")


def test_units_needing_attention_and_the_chart_follow_scope(world, pages):
    pages.login(world.police_a)
    html = pages.html("/dashboard")
    shown = set(re.findall(r'data-testid="attention-row" data-unit-id="(\d+)"', html))
    assert str(world.unit_b.id) not in shown
    assert shown <= {str(world.unit_a.id), str(world.other_unit_a.id)}
    assert 'data-testid="chart-svg"' in html


def test_the_dashboard_is_a_bounded_number_of_statements(world, make, pages):
    def add(first, last):
        for n in range(first, last):
            unit = make.unit(world.station_a, name=f"学校{n}", key_security_unit=True)
            make_hazard(unit)
            order = make_order(unit, world.police_a)
            order.due_date = days(unit, -1)
            make_report(unit, make.user("coordinator", f"c{n}", unit_id=unit.id),
                        submitted=True)
        db.session.commit()

    pages.login(world.police_a)
    add(0, 2)
    pages.html("/dashboard")
    with count_queries() as few:
        pages.html("/dashboard")
    add(2, 10)
    pages.html("/dashboard")
    with count_queries() as many:
        html = pages.html("/dashboard")
    assert many() == few(), (few(), many())
    assert count_of(html, "orders") == 10 and html.count('data-testid="order-row"') == 6


# The coordinator's dashboard: next drills, open hazards, the report due

def test_the_coordinators_dashboard_shows_what_comes_next(world, pages):
    today = today_in(world.unit_a)
    soon = make_activity(world.unit_a, title="消防疏散演练", start=at(today + timedelta(days=3)))
    make_activity(world.unit_a, title="远期演练", start=at(today + timedelta(days=45)))
    make_activity(world.other_unit_a, title="别校演练", start=at(today + timedelta(days=2)))
    late = make_hazard(world.unit_a)
    late.due_date = days(world.unit_a, -2)
    make_hazard(world.other_unit_a, description="别校隐患")
    owing(world.unit_a)
    db.session.commit()

    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/compliance")
    drills = panel(html, "drills")
    assert f'data-activity-id="{soon.id}"' in drills and "远期演练" not in drills
    assert "别校演练" not in html
    hazards_panel = panel(html, "hazards")
    assert f'data-hazard-id="{late.id}"' in hazards_panel and "别校隐患" not in html
    assert 'data-testid="hazards-overdue"' in hazards_panel
    report = panel(html, "report")
    assert 'data-testid="report-due" data-status="overdue"' in report  # none submitted
    assert 'href="/units/%d/reports"' % world.unit_a.id in report

    # as of a past day the page shows the obligations only
    past = (today - timedelta(days=10)).isoformat()
    assert 'data-testid="panels"' not in pages.html(
        f"/units/{world.unit_a.id}/compliance?as_of={past}")


def test_the_coordinators_dashboard_is_a_bounded_number_of_statements(world, pages):
    today = today_in(world.unit_a)
    pages.login(world.coordinator_a)
    url = f"/units/{world.unit_a.id}/compliance"
    make_activity(world.unit_a, start=at(today + timedelta(days=1)))
    make_hazard(world.unit_a)
    pages.html(url)
    with count_queries() as few:
        pages.html(url)
    for n in range(2, 9):
        make_activity(world.unit_a, title=f"演练{n}", start=at(today + timedelta(days=n)))
        make_hazard(world.unit_a, description=f"隐患{n}")
    pages.html(url)
    with count_queries() as many:
        pages.html(url)
    assert many() == few(), (few(), many())
