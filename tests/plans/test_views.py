"""Pages of emergency plans (plans.views)."""
import html
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from anbao.attachments.models import Attachment
from anbao.extensions import db
from anbao.system import stand_in
from plans import scenarios
from plans import service as plans
from plans.models import SECTIONS, Plan
from tests.anbao.test_views import error_of, pages  # noqa: F401  (fixture)
from units.service import today_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ETAG = re.compile(r'name="etag" value="([^"]+)"')


def coordinator_of(unit):
    return stand_in("coordinator", unit=unit)


def make_plan(unit, scenario="terror_attack", level="comprehensive", approve=False,
              **fields):
    actor = coordinator_of(unit)
    plan = plans.create_plan(actor, unit, {"scenario": scenario, "level": level,
                                           "title": fields.pop("title", "防暴恐预案"),
                                           **fields}, "zh_CN")
    if approve:
        plans.approve_plan(actor, plan, "陈校长")
    db.session.commit()
    return plan


def editor_form(html: str) -> dict:
    """The editor's fields as a browser would send them."""
    form = {"etag": etag_in(html) if ETAG.search(html) else None}
    form["title"] = unescape(
        re.search(r'id="f-title"\s+name="title"[^>]*value="([^"]*)"', html).group(1))
    for key in SECTIONS:
        match = re.search(r'name="sections-%s"[^>]*>(.*?)</textarea>' % key, html, re.S)
        form[f"sections-{key}"] = unescape(match.group(1))
    return {k: v for k, v in form.items() if v is not None}


def unescape(text: str) -> str:
    return html.unescape(text)


def etag_in(page: str) -> str:
    return unescape(ETAG.search(page).group(1))


# The tiles

def test_tiles_show_every_scenario_and_the_missing_ones(world, pages):
    make_plan(world.unit_a, approve=True)
    make_plan(world.unit_a, scenario="accident", level="onsite", title="防事故现场处置方案")
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/plans")
    assert html.count('data-testid="scenario-tile"') == 5
    assert re.search(r'data-scenario="terror_attack"\s+data-covered="true"', html)
    assert re.search(r'data-scenario="accident"\s+data-covered="false"', html)
    assert html.count("No approved plan") == 4
    assert html.count('data-testid="start-plan"') == 3  # accident has a draft already
    assert 'data-covered="1"' in html
    assert "防事故现场处置方案" in html and 'data-status="draft"' in html


def test_tiles_highlight_a_review_due_soon_and_overdue(world, pages):
    soon = make_plan(world.unit_a, approve=True)
    late = make_plan(world.unit_a, scenario="accident", approve=True, title="防事故预案")
    today = today_in(world.unit_a)
    soon.review_due = today + timedelta(days=10)
    late.review_due = today - timedelta(days=1)
    db.session.commit()
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/plans")
    assert 'data-state="due_soon"' in html and "Review due within 30 days" in html
    assert 'data-state="overdue"' in html and "Review overdue" in html


def test_staff_see_approved_plans_only_and_no_buttons(world, pages):
    approved = make_plan(world.unit_a, approve=True)
    draft = make_plan(world.unit_a, scenario="sabotage", title="防破坏草稿")
    pages.login(world.staff_a)
    html = pages.html(f"/units/{world.unit_a.id}/plans")
    assert "防破坏草稿" not in html
    assert 'data-testid="start-plan"' not in html
    assert f'href="/plans/{approved.id}"' in html
    detail = pages.html(f"/plans/{approved.id}")
    assert 'data-testid="edit-plan"' not in detail
    assert 'data-testid="approve-form"' not in detail
    assert 'data-testid="upload-form"' not in detail
    history = pages.html(f"/plans/{approved.id}/history")
    assert history.count('data-testid="version-row"') == 1 and 'data-testid="diff"' not in history
    pages.html(f"/plans/{draft.id}", 404)
    pages.html(f"/plans/{draft.id}/print", 404)
    pages.html(f"/plans/{approved.id}/edit", 403)
    pages.html(f"/units/{world.unit_a.id}/plans/new", 403)


def test_police_read_every_version_without_buttons(world, pages):
    draft = make_plan(world.unit_a)
    pages.login(world.police_a)
    html = pages.html(f"/units/{world.unit_a.id}/plans")
    assert 'data-testid="start-plan"' not in html
    detail = pages.html(f"/plans/{draft.id}")
    assert 'data-testid="edit-plan"' not in detail
    for path in ("", "/history", "/print"):
        pages.html(f"/plans/{draft.id}{path}")


@pytest.mark.parametrize("path", ["/units/{unit}/plans", "/units/{unit}/plans/new",
                                  "/plans/{plan}", "/plans/{plan}/edit",
                                  "/plans/{plan}/history", "/plans/{plan}/print"])
def test_another_units_plans_do_not_exist(world, pages, path):
    plan = make_plan(world.unit_a, approve=True)
    pages.login(world.coordinator_b)
    pages.html(path.format(unit=world.unit_a.id, plan=plan.id), 404)


def test_navigation_has_plans_for_unit_users(world, pages):
    pages.login(world.staff_a)
    html = pages.html(f"/units/{world.unit_a.id}/plans")
    assert re.search(r'class="nav-link active"\s+aria-current="page" href="/units/%d/plans"'
                     % world.unit_a.id, html)


# Starting a plan

def test_new_plan_is_prefilled_from_the_template_in_chinese_by_default(world, pages):
    pages.login(world.coordinator_a, language=None)
    html = pages.html(f"/units/{world.unit_a.id}/plans/new?scenario=terror_attack"
                      "&level=comprehensive")
    start = scenarios.template("terror_attack", "comprehensive", "zh_CN")
    form = editor_form(html)
    assert form["title"] == start["title"]
    assert form["sections-response"] == start["sections"]["response"]
    assert re.search(r"[\u4e00-\u9fff]", form["sections-scope"])

    form.update({"scenario": "terror_attack", "level": "comprehensive",
                 "sections-scope": "本校东、西两个校区。", "contacts-0-role": "总指挥",
                 "contacts-0-name": "陈校长", "contacts-0-phone": "020-12345678",
                 "contacts-1-role": "", "contacts-1-name": ""})
    response = pages.post(f"/units/{world.unit_a.id}/plans/new", form)
    assert response.status_code == 302
    plan = db.session.scalar(sa.select(Plan))
    assert response.headers["Location"] == f"/plans/{plan.id}"
    assert (plan.status, plan.version, plan.title) == ("draft", 1, start["title"])
    assert plan.sections["scope"] == "本校东、西两个校区。"
    assert plan.sections["response"] == start["sections"]["response"]
    assert plan.contacts == [{"role": "总指挥", "name": "陈校长", "phone": "020-12345678"}]


def test_new_plan_in_english_uses_the_english_template(world, pages):
    pages.login(world.coordinator_a, language="en")
    html = pages.html(f"/units/{world.unit_a.id}/plans/new?scenario=terror_attack&level=special")
    start = scenarios.template("terror_attack", "special", "en")
    assert editor_form(html)["title"] == start["title"]


def test_new_plan_shows_errors_and_keeps_the_text(world, pages):
    pages.login(world.coordinator_a)
    response = pages.post(f"/units/{world.unit_a.id}/plans/new", {
        "scenario": "terror_attack", "level": "comprehensive", "title": "",
        "sections-scope": "我写的范围", "contacts-0-role": "总指挥",
        "contacts-0-phone": "abc"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(html, "title")
    assert error_of(html, "contacts-0-name") and error_of(html, "contacts-0-phone")
    assert "我写的范围" in html
    assert db.session.scalar(sa.select(sa.func.count(Plan.id))) == 0


def test_a_second_plan_of_a_scenario_and_level_is_refused(world, pages):
    make_plan(world.unit_a)
    pages.login(world.coordinator_a)
    response = pages.post(f"/units/{world.unit_a.id}/plans/new", {
        "scenario": "terror_attack", "level": "comprehensive", "title": "再来一个"})
    assert response.status_code == 409
    assert 'data-testid="flash-danger"' in response.get_data(as_text=True)


def test_a_scenario_without_template_does_not_crash(world, pages, monkeypatch):
    def missing(*args):
        raise FileNotFoundError(args[0])
    monkeypatch.setattr(scenarios, "template", missing)
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/plans/new?scenario=sabotage")
    assert 'data-testid="no-template"' in html
    response = pages.post(f"/units/{world.unit_a.id}/plans/new", {
        "scenario": "sabotage", "level": "comprehensive", "title": "防破坏预案"})
    assert response.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count(Plan.id))) == 0


# Editing

def test_editing_a_draft_changes_it(world, pages):
    plan = make_plan(world.unit_a)
    pages.login(world.coordinator_a)
    form = editor_form(pages.html(f"/plans/{plan.id}/edit"))
    form["sections-measures"] = "增加一道防冲撞桩。"
    response = pages.post(f"/plans/{plan.id}/edit", form)
    assert response.status_code == 302 and response.headers["Location"] == f"/plans/{plan.id}"
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).sections["measures"] == "增加一道防冲撞桩。"


def test_editing_an_approved_plan_makes_version_two(world, pages):
    plan = make_plan(world.unit_a, approve=True)
    pages.login(world.coordinator_a)
    html = pages.html(f"/plans/{plan.id}/edit")
    assert 'data-testid="new-version-note"' in html
    form = editor_form(html)
    form["title"] = "防暴恐预案（修订）"
    response = pages.post(f"/plans/{plan.id}/edit", form)
    assert response.status_code == 302
    draft = db.session.scalar(sa.select(Plan).where(Plan.version == 2))
    assert response.headers["Location"] == f"/plans/{draft.id}"
    assert (draft.status, draft.title) == ("draft", "防暴恐预案（修订）")
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).status == "approved"
    # the approved one now points to the draft instead of offering another edit
    detail = pages.html(f"/plans/{plan.id}")
    assert 'data-testid="newer-version"' in detail and 'data-testid="edit-plan"' not in detail
    assert pages.get(f"/plans/{plan.id}/edit").headers["Location"] == f"/plans/{draft.id}"


def test_a_stale_save_is_refused_and_keeps_the_input(world, pages):
    plan = make_plan(world.unit_a)
    pages.login(world.coordinator_a)
    form = editor_form(pages.html(f"/plans/{plan.id}/edit"))
    plans.update_plan(coordinator_of(world.unit_a), plan, {"title": "别人改的标题"})
    db.session.commit()
    form["sections-aftermath"] = "我刚写的善后内容"
    response = pages.post(f"/plans/{plan.id}/edit", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "我刚写的善后内容" in html and 'data-testid="flash-danger"' in html
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).sections["aftermath"] != "我刚写的善后内容"
    # saving again with the new ETag goes through
    form["etag"] = etag_in(html)
    assert pages.post(f"/plans/{plan.id}/edit", form).status_code == 302


def test_edit_errors_show_next_to_the_fields(world, pages):
    plan = make_plan(world.unit_a)
    pages.login(world.coordinator_a)
    form = editor_form(pages.html(f"/plans/{plan.id}/edit"))
    form["sections-scope"] = "长" * 20_001
    response = pages.post(f"/plans/{plan.id}/edit", form)
    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), "sections-scope")


# Approving

def test_approve_form_approves_with_the_name_given(world, pages):
    plan = make_plan(world.unit_a)
    pages.login(world.coordinator_a)
    html = pages.html(f"/plans/{plan.id}")
    etag = etag_in(html)
    response = pages.post(f"/plans/{plan.id}/approve", {"approved_by": "", "etag": etag})
    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), "approved_by")
    response = pages.post(f"/plans/{plan.id}/approve", {"approved_by": "陈校长", "etag": etag})
    assert response.status_code == 302
    db.session.expire_all()
    plan = db.session.get(Plan, plan.id)
    assert (plan.status, plan.approved_by) == ("approved", "陈校长")
    html = pages.html(f"/plans/{plan.id}")
    assert 'data-testid="approve-form"' not in html
    assert f'data-testid="review-due"><time datetime="{plan.review_due.isoformat()}">' in html


def test_approving_a_stale_version_is_refused(world, pages):
    plan = make_plan(world.unit_a)
    pages.login(world.coordinator_a)
    etag = etag_in(pages.html(f"/plans/{plan.id}"))
    plans.update_plan(coordinator_of(world.unit_a), plan, {"title": "改过"})
    db.session.commit()
    response = pages.post(f"/plans/{plan.id}/approve", {"approved_by": "陈校长", "etag": etag})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).status == "draft"


# History and print

def test_history_compares_two_versions_side_by_side(world, pages):
    plan = make_plan(world.unit_a, approve=True,
                     sections={"measures": "第一行\n旧的第二行\n第三行"})
    draft, _ = plans.update_plan(coordinator_of(world.unit_a), plan,
                                 {"sections": {"measures": "第一行\n新的第二行\n第三行"}})
    db.session.commit()
    pages.login(world.coordinator_a)
    html = pages.html(f"/plans/{draft.id}/history?a=1&b=2")
    assert html.count('data-testid="version-row"') == 2
    assert 'data-old="1" data-new="2"' in html
    assert re.search(r'data-part="measures" data-changed="true"', html)
    assert re.search(r'data-part="scope" data-changed="false"', html)
    assert "<mark>旧</mark>" in html and "<mark>新</mark>" in html
    assert html.count('data-kind="changed"') == 1


def test_print_view_has_the_title_block_and_no_navigation(world, pages):
    plan = make_plan(world.unit_a, approve=True,
                     contacts=[{"role": "总指挥", "name": "陈校长", "phone": "110"}])
    pages.login(world.coordinator_a)
    html = pages.html(f"/plans/{plan.id}/print")
    assert "<nav" not in html and "navbar" not in html
    assert world.unit_a.name in html and "陈校长" in html
    assert f'<time datetime="{plan.review_due.isoformat()}">' in html
    assert html.count('data-testid="plan-section"') == len(SECTIONS)
    assert "<script>" not in html and "style=" not in html


# Attachments

def test_a_pdf_uploaded_on_the_page_is_listed(world, pages):
    plan = make_plan(world.unit_a)
    pages.login(world.coordinator_a)
    response = pages.post(f"/plans/{plan.id}/attachments",
                          {"file": (io.BytesIO(PDF), "疏散图.pdf")},
                          content_type="multipart/form-data", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-testid="flash-success"' in html
    row = db.session.scalar(sa.select(Attachment))
    assert f'href="/api/v1/attachments/{row.id}"' in html and "疏散图.pdf" in html
    with pages.get(f"/api/v1/attachments/{row.id}") as download:
        assert download.status_code == 200 and download.data == PDF


def test_a_file_of_the_wrong_type_is_refused_with_a_message(world, pages):
    plan = make_plan(world.unit_a)
    pages.login(world.coordinator_a)
    response = pages.post(f"/plans/{plan.id}/attachments",
                          {"file": (io.BytesIO(b"MZ not a document"), "virus.exe")},
                          content_type="multipart/form-data", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert 'data-testid="flash-danger"' in html and "PDF, DOCX, XLSX" in html
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0


def test_a_file_too_large_is_refused_with_a_message(world, pages, monkeypatch):
    from anbao.attachments import service as attachments
    monkeypatch.setattr(attachments, "MAX_SIZE", len(PDF) - 1)
    plan = make_plan(world.unit_a)
    pages.login(world.coordinator_a)
    response = pages.post(f"/plans/{plan.id}/attachments",
                          {"file": (io.BytesIO(PDF), "big.pdf")},
                          content_type="multipart/form-data", follow_redirects=True)
    assert "20 MiB" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
