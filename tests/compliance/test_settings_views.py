"""The rule settings page (compliance.views.settings): an admin reads and changes the
intervals of the periodic rules, each change in the audit log; invalid values show next to
their field and change nothing; every other role is refused; the menu and the overview lead
there for admins only."""
import re

import pytest
from dateutil.relativedelta import relativedelta
import sqlalchemy as sa

from anbao.audit.models import AuditEvent
from anbao.extensions import db
from anbao.i18n import cite
from compliance import rules
from compliance import service as compliance
from compliance.models import RuleSetting
from compliance.schemas import PERIODIC
from tests.anbao.test_views import error_of, pages  # noqa: F401  (fixture)
from tests.compliance.test_views import relogin

DEFAULTS = {code: rules.RULES[code].months for code in PERIODIC}


def form(**changes) -> dict:
    """The form as the page shows it (the current values), with some fields changed."""
    return {**{code: str(value) for code, value in compliance.months().items()},
            **{code.replace("_", "-"): value for code, value in changes.items()}}


def shown(html: str) -> dict[str, str]:
    """Each rule's input and its value on the page."""
    return dict(re.findall(r'id="f-([A-Z-]+)" name="[A-Z-]+"\s+type="number"[^>]*?'
                           r'value="([^"]*)"', html, re.S))


def events() -> list[AuditEvent]:
    db.session.rollback()
    return db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.entity == "rule_settings").order_by(AuditEvent.id)).all()


def saved() -> dict[str, int]:
    db.session.rollback()
    return dict(db.session.execute(sa.select(RuleSetting.rule, RuleSetting.months)).all())


def test_the_admin_sees_every_periodic_rule_with_its_defaults(world, pages):
    pages.login(world.admin)
    html = pages.html("/compliance/settings")
    assert shown(html) == {code: str(months) for code, months in DEFAULTS.items()}
    assert set(shown(html)) == set(PERIODIC) and "PLAN-SET" not in shown(html)
    for code in PERIODIC:
        rule = rules.RULES[code]
        assert f'<label class="form-label fw-semibold mb-0" for="f-{code}">{rule.title}' in html
        assert cite(rule.clause, "en") in html  # English names the laws: Plan Measures Art 35
        assert f'data-rule="{code}" data-current="{rule.months}" data-default="{rule.months}"' \
            in html
    assert 'data-testid="save-settings"' in html
    assert html.count("Default, never changed") == len(PERIODIC)
    assert "style=" not in html and not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_the_admin_changes_intervals_and_the_audit_log_keeps_it(world, pages):
    pages.login(world.admin)
    response = pages.post("/compliance/settings",
                          data=form(**{"DRILL-PLAN": "6", "TRAIN-NATSEC": "24"}))
    assert response.status_code == 302
    assert response.headers["Location"] == "/compliance/settings"
    assert saved() == {"DRILL-PLAN": 6, "TRAIN-NATSEC": 24}  # only what changed
    [event] = events()
    assert (event.action, event.user_id) == ("update", world.admin.id)
    assert event.changes == {"before": {"DRILL-PLAN": 12, "TRAIN-NATSEC": 12},
                             "after": {"DRILL-PLAN": 6, "TRAIN-NATSEC": 24}}
    html = pages.html("/compliance/settings")
    assert "Saved: 2 rules have new intervals." in html
    assert shown(html)["DRILL-PLAN"] == "6" and shown(html)["TRAIN-NATSEC"] == "24"
    assert re.search(r'data-rule="DRILL-PLAN" data-current="6" data-default="12"', html)
    assert html.count("Default, never changed") == len(PERIODIC) - 2
    assert " · admin" in html  # who changed it

    # back to the default: a change like any other
    pages.post("/compliance/settings", data=form(**{"DRILL-PLAN": "12"}))
    assert saved()["DRILL-PLAN"] == 12
    assert len(events()) == 2
    assert "Saved: 1 rule has a new interval." in pages.html("/compliance/settings")


def test_saving_the_form_unchanged_writes_nothing(world, pages):
    pages.login(world.admin)
    response = pages.post("/compliance/settings", data=form())
    assert response.status_code == 302
    assert saved() == {} and events() == []
    assert "Nothing changed" in pages.html("/compliance/settings")


@pytest.mark.parametrize("value, message", [
    ("0", "Enter a number from 1 to 120."), ("121", "Enter a number from 1 to 120."),
    ("-3", "Enter a number from 1 to 120."), ("abc", "Enter a whole number."),
    ("1.5", "Enter a whole number."), ("", "This field is required.")])
def test_an_invalid_value_shows_an_error_and_changes_nothing(world, pages, value, message):
    pages.login(world.admin)
    response = pages.post("/compliance/settings",
                          data=form(**{"TRAIN-SKILLS": value, "DRILL-PLAN": "6"}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_of(html, "TRAIN-SKILLS") == message
    assert error_of(html, "DRILL-PLAN") == ""
    assert 'data-testid="form-errors"' in html
    assert re.search(r'id="f-TRAIN-SKILLS"[^>]*aria-describedby="f-TRAIN-SKILLS-error"', html)
    # the input is kept as typed
    assert shown(html)["TRAIN-SKILLS"] == value and shown(html)["DRILL-PLAN"] == "6"
    assert saved() == {} and events() == []


def test_a_post_without_csrf_is_refused(world, pages):
    pages.login(world.admin)
    response = pages.client.post("/compliance/settings", data=form(**{"DRILL-PLAN": "6"}))
    assert response.status_code == 400
    assert saved() == {}


@pytest.mark.parametrize("role", ["police_a", "supervisor_a", "coordinator_a", "staff_a"])
def test_other_roles_are_refused(world, pages, role):
    pages.login(getattr(world, role))
    pages.html("/compliance/settings", status=403)
    response = pages.post("/compliance/settings", data=form(**{"DRILL-PLAN": "6"}))
    assert response.status_code == 403
    assert saved() == {} and events() == []


def test_the_page_needs_a_login(client):
    response = client.get("/compliance/settings")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_overview_links_the_settings_for_admins_only(world, pages):
    pages.login(world.admin)
    html = pages.html("/compliance")
    assert 'href="/compliance/settings" data-testid="settings-link"' in html
    relogin(pages, world.police_a)
    html = pages.html("/compliance")
    assert "/compliance/settings" not in html
    relogin(pages, world.supervisor_a)
    assert "/compliance/settings" not in pages.html("/compliance")


@pytest.mark.parametrize("role, listed", [
    ("admin", True), ("police_a", False), ("supervisor_a", False), ("coordinator_a", False),
    ("staff_a", False)])
def test_the_menu_leads_admins_to_the_settings(world, pages, role, listed):
    pages.login(getattr(world, role))
    html = pages.html(f"/units/{world.unit_a.id}")
    start = html.index('<ul class="navbar-nav')
    nav = html[start:html.index("</ul>", start)]
    assert ('href="/compliance/settings"' in nav) == listed
    if listed:
        html = pages.html("/compliance/settings")
        assert re.search(r'class="nav-link active"\s+aria-current="page" '
                         r'href="/compliance/settings"', html)


def due_of(html: str, rule: str) -> tuple[str, str]:
    """The due date and the detail of a rule's item on the dashboard."""
    card = re.search(r'<article[^>]*data-rule="%s".*?</article>' % rule, html, re.S).group(0)
    return (re.search(r'data-testid="item-due"><time datetime="([\d-]+)"', card).group(1),
            re.search(r'data-testid="item-detail">(.*?)</p>', card, re.S).group(1))


def test_a_new_interval_moves_the_due_date_on_the_dashboard(world, pages):
    registered = world.unit_a.registered_on
    pages.login(world.coordinator_a)
    due, detail = due_of(pages.html(f"/units/{world.unit_a.id}/compliance"), "TRAIN-NATSEC")
    assert due == (registered + relativedelta(months=12)).isoformat() and "12 months" in detail
    relogin(pages, world.admin)
    pages.post("/compliance/settings", data=form(**{"TRAIN-NATSEC": "24"}))
    relogin(pages, world.coordinator_a)
    due, detail = due_of(pages.html(f"/units/{world.unit_a.id}/compliance"), "TRAIN-NATSEC")
    assert due == (registered + relativedelta(months=24)).isoformat() and "24 months" in detail
