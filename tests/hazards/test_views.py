"""Pages of the hazard ledger (hazards.views): the unit's ledger, what needs the police and
supervisors, one hazard with its actions, the forms, the menu."""
import io
import re
from datetime import timedelta

import sqlalchemy as sa

from anbao.attachments.models import Attachment
from anbao.extensions import db
from hazards import service
from hazards.models import Hazard
from tests.accessibility import uncaptioned, unlabelled
from tests.anbao.test_views import error_of, pages  # noqa: F401  (fixture)
from tests.conftest import count_queries
from tests.plans.test_views import coordinator_of
from units.service import today_in

ETAG = re.compile(r'name="etag" value="([^"]+)"')
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def days(unit, n: int):
    """Today in the unit's zone, plus n days."""
    return today_in(unit) + timedelta(days=n)


def make_hazard(unit, **fields):
    data = {"description": "东门围栏破损", "severity": "high", "source": "self_inspection",
            "owner": "王五", "due_date": days(unit, 10), **fields}
    hazard = service.create_hazard(coordinator_of(unit), unit, data)
    db.session.commit()
    return hazard


def make_order(unit, police, **fields):
    data = {"description": "监控未覆盖东门", "due_date": days(unit, 10), **fields}
    hazard = service.issue_order(police, unit, data)
    db.session.commit()
    return hazard


def hazard_form(**fields):
    return {"description": "三楼化学实验室门锁损坏", "severity": "major",
            "source": "self_inspection", "owner": "赵六", "due_date": "2031-05-01",
            "location": "实验楼三楼", "key_part_id": "", **fields}


def rows(html: str) -> int:
    return html.count('data-testid="hazard-row"')


def relogin(pages, user, language="en"):
    if pages.token:
        pages.post("/logout")
    pages.login(user, language=language)


def upload(pages, hazard_id, data=PNG, name="照片.png"):
    return pages.post(f"/hazards/{hazard_id}/evidence",
                      data={"file": (io.BytesIO(data), name)},
                      content_type="multipart/form-data")


# The unit's ledger

def test_the_ledger_shows_tiles_rows_and_markers(world, pages):
    late = make_hazard(world.unit_a, due_date=days(world.unit_a, -2),
                       key_part_id=world.key_part_a.id, location="东侧围栏")
    make_hazard(world.unit_a, description="消防通道堵塞", severity="low")
    order = make_order(world.unit_a, world.police_a, due_date=days(world.unit_a, -1))
    service.escalate(coordinator_of(world.unit_a), late, "supervisor", "需要资金")
    db.session.commit()
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/hazards")
    assert rows(html) == 3
    assert "东门围栏破损" in html and "消防通道堵塞" in html and "监控未覆盖东门" in html
    assert "东门" in html and "东侧围栏" in html and "王五" in html
    tiles = dict(re.findall(r'data-summary="(\w+)" data-count="(\d+)"', html))
    assert tiles == {"open": "3", "rectified": "0", "overdue": "2", "overdue_orders": "1",
                     "escalated": "1"}
    assert html.count('data-testid="overdue-marker"') == 2
    assert html.count('data-testid="order-marker"') == 1
    assert 'data-escalated-to="supervisor" data-acknowledged="false"' in html
    assert 'data-severity="low"' in html and "Low" in html and "Self-inspection" in html
    assert re.search(r'data-hazard-id="%d" data-status="open" class="row-overdue"' % order.id,
                     html)
    assert 'data-testid="add-hazard"' in html and 'data-testid="issue-order"' not in html
    assert 'data-testid="export-xlsx"' in html


def test_the_ledger_filters_and_drops_invalid_filters(world, pages):
    make_hazard(world.unit_a, due_date=days(world.unit_a, -2))
    make_hazard(world.unit_a, description="消防通道堵塞", severity="low", source="drill")
    make_order(world.unit_a, world.police_a)
    pages.login(world.police_a)
    url = f"/units/{world.unit_a.id}/hazards"
    assert rows(pages.html(url + "?overdue=true")) == 1
    assert rows(pages.html(url + "?overdue=false")) == 2
    html = pages.html(url + "?order=true")
    assert rows(html) == 1 and "监控未覆盖东门" in html
    assert 'option value="true" selected' in html
    html = pages.html(url + "?severity=low&source=drill")
    assert rows(html) == 1 and "消防通道堵塞" in html
    assert rows(pages.html(url + "?status=closed")) == 0
    assert 'data-testid="clear-filters"' in pages.html(url + "?status=closed")
    assert rows(pages.html(url + "?status=nonsense&severity=low")) == 1
    assert rows(pages.html(url + "?overdue=maybe")) == 3


def test_the_ledger_is_paginated(world, pages):
    for i in range(52):
        service.create_hazard(coordinator_of(world.unit_a), world.unit_a, {
            "description": f"隐患{i}", "severity": "low", "source": "other", "owner": "王五",
            "due_date": days(world.unit_a, 5)})
    db.session.commit()
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/hazards")
    assert rows(html) == 50 and 'data-testid="pagination"' in html
    assert rows(pages.html(f"/units/{world.unit_a.id}/hazards?page=2")) == 2


def test_an_empty_ledger_says_what_to_do(world, pages):
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/hazards")
    assert 'data-testid="empty-state"' in html and "Record the first hazard" in html
    assert 'data-testid="export-xlsx"' not in html
    relogin(pages, world.police_a)
    html = pages.html(f"/units/{world.unit_a.id}/hazards")
    assert "Issue a rectification order" in html and 'data-testid="issue-order"' in html
    relogin(pages, world.supervisor_a)
    html = pages.html(f"/units/{world.unit_a.id}/hazards")
    assert "The safety coordinator of the unit keeps this ledger" in html


def test_who_reads_staff_may_not_other_units_do_not_exist(world, pages):
    hazard = make_hazard(world.unit_a)
    for user in (world.police_a, world.supervisor_a, world.admin):
        relogin(pages, user)
        assert "东门围栏破损" in pages.html(f"/units/{world.unit_a.id}/hazards")
        html = pages.html(f"/hazards/{hazard.id}")
        assert "东门围栏破损" in html
        for form in ("rectify-form", "upload-form", "escalate-form", "edit-hazard"):
            assert f'data-testid="{form}"' not in html
    relogin(pages, world.staff_a)
    pages.html(f"/units/{world.unit_a.id}/hazards", status=403)
    pages.html(f"/hazards/{hazard.id}", status=403)
    pages.html(f"/units/{world.unit_a.id}/hazards.xlsx", status=403)
    pages.html(f"/units/{world.unit_a.id}/hazards/new", status=403)
    assert pages.get("/hazards", follow_redirects=True).status_code == 403
    assert pages.post(f"/hazards/{hazard.id}/rectify",
                      data={"measures": "x"}).status_code == 403
    relogin(pages, world.coordinator_b)
    pages.html(f"/units/{world.unit_a.id}/hazards", status=404)
    pages.html(f"/hazards/{hazard.id}", status=404)
    pages.html(f"/hazards/{hazard.id}/edit", status=404)
    assert pages.post(f"/hazards/{hazard.id}/escalate",
                      data={"to": "police", "reason": "x"}).status_code == 404
    relogin(pages, world.police_b)
    pages.html(f"/hazards/{hazard.id}", status=404)
    pages.html(f"/units/{world.unit_a.id}/orders/new", status=404)


def test_the_menu_leads_each_role_to_its_hazards(world, pages):
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/hazards")
    assert re.search(r'class="nav-link active"\s+aria-current="page" href="/units/%d/hazards"'
                     % world.unit_a.id, html)
    hazard = make_hazard(world.unit_a)
    assert re.search(r'class="nav-link active"\s+aria-current="page" href="/units/%d/hazards"'
                     % world.unit_a.id, pages.html(f"/hazards/{hazard.id}"))
    unit_page = pages.html(f"/units/{world.unit_a.id}")
    assert 'data-testid="hazards-link"' in unit_page
    relogin(pages, world.police_a)
    html = pages.html("/hazards")
    assert re.search(r'class="nav-link active"\s+aria-current="page" href="/hazards"', html)
    assert 'data-testid="hazards-link"' in pages.html(f"/units/{world.unit_a.id}")
    relogin(pages, world.staff_a)
    html = pages.html(f"/units/{world.unit_a.id}")
    assert "/hazards" not in html


# The forms

def test_recording_a_hazard_shows_field_errors_then_succeeds(world, pages):
    pages.login(world.coordinator_a)
    url = f"/units/{world.unit_a.id}/hazards/new"
    html = pages.html(url)
    assert 'data-testid="hazard-form"' in html and 'name="legal_basis"' not in html
    response = pages.post(url, data=hazard_form(description="", owner="", due_date="someday",
                                                severity="huge"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for field in ("description", "owner", "due_date", "severity"):
        assert error_of(html, field), field
    assert 'value="实验楼三楼"' in html  # the input is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Hazard)) == 0
    response = pages.post(url, data=hazard_form(key_part_id=str(world.key_part_b.id)))
    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), "key_part_id")
    response = pages.post(url, data=hazard_form(key_part_id=str(world.key_part_a.id)))
    assert response.status_code == 302
    hazard = db.session.scalars(sa.select(Hazard)).one()
    assert (hazard.description, hazard.severity, hazard.owner, hazard.key_part_id,
            hazard.order, hazard.status, hazard.created_by) == (
        "三楼化学实验室门锁损坏", "major", "赵六", world.key_part_a.id, False, "open",
        "coordinator_a")
    html = pages.html(response.headers["Location"])
    assert 'data-testid="flash-success"' in html and 'data-action="create"' in html


def test_police_issue_orders_and_the_unit_may_not(world, pages):
    world.unit_a.responsible_person = "张校长"
    db.session.commit()
    pages.login(world.coordinator_a)
    pages.html(f"/units/{world.unit_a.id}/orders/new", status=403)
    relogin(pages, world.police_a)
    pages.html(f"/units/{world.unit_a.id}/hazards/new", status=403)
    url = f"/units/{world.unit_a.id}/orders/new"
    html = pages.html(url)
    assert 'value="张校长"' in html and 'name="source"' not in html
    assert 'name="legal_basis"' in html and 'data-testid="order-note"' in html
    response = pages.post(url, data={"description": "", "due_date": "", "legal_basis": "第十九条",
                                     "severity": "high", "owner": "", "location": "东门"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_of(html, "description") and error_of(html, "due_date")
    assert "第十九条" in html and 'value="东门"' in html
    response = pages.post(url, data={"description": "监控未覆盖东门", "due_date": "2030-01-01",
                                     "legal_basis": "第十九条", "severity": "high",
                                     "owner": "", "location": "东门"})
    assert response.status_code == 302
    order = db.session.scalars(sa.select(Hazard)).one()
    assert (order.order, order.source, order.owner, order.legal_basis, order.created_by) == (
        True, "police_inspection", "张校长", "第十九条", "police_a")


def test_each_side_edits_only_its_fields_and_a_stale_form_keeps_the_input(world, pages):
    hazard = make_hazard(world.unit_a)
    order = make_order(world.unit_a, world.police_a)
    pages.login(world.coordinator_a)
    html = pages.html(f"/hazards/{order.id}/edit")
    assert 'name="owner"' in html and 'name="location"' in html
    assert 'name="description"' not in html and 'name="due_date"' not in html
    assert 'data-testid="fixed-facts"' in html and "监控未覆盖东门" in html
    html = pages.html(f"/hazards/{hazard.id}/edit")
    assert 'name="description"' in html and 'name="legal_basis"' not in html
    etag = ETAG.search(html).group(1).replace("&#34;", '"')
    service.update_hazard(coordinator_of(world.unit_a), hazard, {"owner": "钱七"})
    db.session.commit()
    form = hazard_form(description="东门围栏破损（两处）", etag=etag)
    response = pages.post(f"/hazards/{hazard.id}/edit", data=form)
    assert response.status_code == 409
    assert "东门围栏破损（两处）" in response.get_data(as_text=True)
    fresh = ETAG.search(response.get_data(as_text=True)).group(1).replace("&#34;", '"')
    response = pages.post(f"/hazards/{hazard.id}/edit", data={**form, "etag": fresh,
                                                               "owner": ""})
    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), "owner")
    response = pages.post(f"/hazards/{hazard.id}/edit", data={**form, "etag": fresh})
    assert response.status_code == 302
    db.session.refresh(hazard)
    assert (hazard.description, hazard.owner, hazard.severity) == (
        "东门围栏破损（两处）", "赵六", "major")
    assert "Changed:" in pages.html(f"/hazards/{hazard.id}")
    relogin(pages, world.police_a)
    pages.html(f"/hazards/{hazard.id}/edit", status=403)
    html = pages.html(f"/hazards/{order.id}/edit")
    assert 'name="description"' in html and 'name="legal_basis"' in html
    assert 'name="owner"' not in html and 'name="source"' not in html
    etag = ETAG.search(html).group(1).replace("&#34;", '"')
    response = pages.post(f"/hazards/{order.id}/edit", data={
        "etag": etag, "description": "监控未覆盖东门及北门", "severity": "major",
        "due_date": str(days(world.unit_a, 20)), "legal_basis": "421号第十九条",
        "owner": "ignored"})
    assert response.status_code == 302
    db.session.refresh(order)
    assert (order.description, order.severity, order.legal_basis, order.owner) == (
        "监控未覆盖东门及北门", "major", "421号第十九条", "")


def test_a_closed_hazard_is_not_edited(world, pages):
    hazard = make_hazard(world.unit_a)
    actor = coordinator_of(world.unit_a)
    service.rectify(actor, hazard, "已修复", [])
    service.verify(actor, hazard, True, "")
    db.session.commit()
    pages.login(world.coordinator_a)
    html = pages.html(f"/hazards/{hazard.id}")
    assert 'data-testid="edit-hazard"' not in html and 'data-testid="upload-form"' not in html
    assert 'data-testid="escalate-form"' not in html and 'data-testid="rectify-form"' not in html
    response = pages.get(f"/hazards/{hazard.id}/edit")
    assert response.status_code == 302
    assert 'data-testid="flash-danger"' in pages.html(response.headers["Location"])


# Evidence, rectification, verification

def test_evidence_rectification_and_verification_through_the_page(world, pages):
    hazard = make_hazard(world.unit_a)
    pages.login(world.coordinator_a)
    html = pages.html(f"/hazards/{hazard.id}")
    assert 'data-testid="no-evidence"' in html and 'enctype="multipart/form-data"' in html
    assert 'data-testid="verify-box"' not in html  # not rectified yet
    response = pages.client.post(f"/hazards/{hazard.id}/evidence", data={
        "file": (io.BytesIO(PNG), "照片.png")}, content_type="multipart/form-data")
    assert response.status_code == 400  # no CSRF token
    response = upload(pages, hazard.id, data=b"MZ not a picture", name="virus.exe")
    assert response.status_code == 302
    assert "Only PDF, DOCX, XLSX, PNG and JPEG" in pages.html(response.headers["Location"])
    response = upload(pages, hazard.id)
    assert response.status_code == 302 and response.headers["Location"].endswith("#evidence")
    evidence = db.session.scalars(sa.select(Attachment)).one()
    html = pages.html(f"/hazards/{hazard.id}")
    assert f'href="/api/v1/attachments/{evidence.id}"' in html and "照片.png" in html
    assert f'name="evidence_ids" value="{evidence.id}"' in html
    assert pages.get(f"/api/v1/attachments/{evidence.id}", buffered=True).data == PNG

    response = pages.post(f"/hazards/{hazard.id}/rectify",
                          data={"measures": "  ", "evidence_ids": str(evidence.id)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_of(html, "measures")
    assert f'value="{evidence.id}" id="f-evidence-{evidence.id}" checked' in html
    response = pages.post(f"/hazards/{hazard.id}/rectify",
                          data={"measures": "更换围栏", "evidence_ids": "999"})
    assert response.status_code == 422
    assert "999" in error_of(response.get_data(as_text=True), "evidence_ids")
    response = pages.post(f"/hazards/{hazard.id}/rectify",
                          data={"measures": "更换围栏\r\n加装警示牌", "evidence_ids": str(evidence.id)})
    assert response.status_code == 302
    db.session.refresh(hazard)
    assert (hazard.status, hazard.measures, hazard.rectified_by) == (
        "rectified", "更换围栏\n加装警示牌", "coordinator_a")
    html = pages.html(f"/hazards/{hazard.id}")
    assert 'data-testid="rectify-form"' not in html and 'data-testid="verify-box"' in html
    assert 'data-confirm="' in html.split('data-testid="accept-form"')[1].split(">")[0]

    response = pages.post(f"/hazards/{hazard.id}/verify", data={"comment": "x"})
    assert response.status_code == 422
    response = pages.post(f"/hazards/{hazard.id}/verify",
                          data={"accepted": "true", "comment": "现场复查合格"})
    assert response.status_code == 302
    db.session.refresh(hazard)
    assert hazard.status == "closed" and hazard.verified_by == "coordinator_a"
    html = pages.html(f"/hazards/{hazard.id}")
    steps = re.findall(r'data-testid="history-step" data-action="(\w+)"', html)
    assert steps == ["create", "evidence", "rectify", "accept"]
    assert "现场复查合格" in html and 'data-testid="verify-box"' not in html
    assert "Safety coordinator" in html  # the role of who acted
    response = pages.post(f"/hazards/{hazard.id}/verify", data={"accepted": "false"})
    assert response.status_code == 409  # nothing to verify any more
    response = upload(pages, hazard.id)
    assert "closed" in pages.html(response.headers["Location"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 1


def test_an_overdue_order_shows_the_penalty_and_only_the_police_verify_it(world, pages):
    order = make_order(world.unit_a, world.police_a, due_date=days(world.unit_a, -3),
                       legal_basis="第十九条")
    pages.login(world.coordinator_a)
    html = pages.html(f"/hazards/{order.id}")
    assert 'data-testid="overdue-banner"' in html and 'data-testid="penalty-box"' in html
    assert "10,000–100,000 yuan" in html and "500–5,000 yuan" in html
    assert "Decree No. 421" in html and "第十九条" in html
    response = pages.post(f"/hazards/{order.id}/rectify", data={"measures": "加装摄像头"})
    assert response.status_code == 302
    html = pages.html(f"/hazards/{order.id}")
    assert 'data-testid="penalty-box"' not in html  # rectified: no longer overdue
    assert 'data-testid="verify-box"' not in html and "verification by the police" in html
    response = pages.post(f"/hazards/{order.id}/verify", data={"accepted": "true"})
    assert response.status_code == 403
    db.session.refresh(order)
    assert order.status == "rectified"
    relogin(pages, world.police_a)
    html = pages.html(f"/hazards/{order.id}")
    assert 'data-testid="verify-box"' in html
    response = pages.post(f"/hazards/{order.id}/verify",
                          data={"accepted": "false", "comment": "角度不对"})
    assert response.status_code == 302
    db.session.refresh(order)
    assert order.status == "open" and order.verification_comment == "角度不对"
    html = pages.html(f"/hazards/{order.id}")
    assert 'data-testid="penalty-box"' in html and 'data-action="reject"' in html
    assert 'data-testid="rectify-form"' not in html  # the police do not rectify


def test_a_verification_comment_too_long_is_shown_with_its_form(world, pages):
    hazard = make_hazard(world.unit_a)
    service.rectify(coordinator_of(world.unit_a), hazard, "已修复", [])
    db.session.commit()
    pages.login(world.coordinator_a)
    response = pages.post(f"/hazards/{hazard.id}/verify",
                          data={"accepted": "false", "comment": "长" * 4001})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    reject_form = html.split('data-testid="reject-form"')[1]
    assert 'data-testid="error-comment"' in reject_form
    assert 'data-testid="error-comment"' not in html.split('data-testid="reject-form"')[0]


# Escalation and acknowledgement

def test_escalation_to_the_supervisor_who_acknowledges_from_the_list(world, pages):
    hazard = make_hazard(world.unit_a)
    pages.login(world.coordinator_a)
    html = pages.html(f"/hazards/{hazard.id}")
    assert 'data-testid="escalate-form"' in html and "data-confirm=" in html
    response = pages.post(f"/hazards/{hazard.id}/escalate", data={"to": "mayor", "reason": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_of(html, "to") and error_of(html, "reason")
    response = pages.post(f"/hazards/{hazard.id}/escalate",
                          data={"to": "supervisor", "reason": "围栏属于市政，需要协调"})
    assert response.status_code == 302
    db.session.refresh(hazard)
    assert hazard.escalated_to == "supervisor"

    relogin(pages, world.police_a)
    html = pages.html("/hazards")
    assert rows(html) == 0 and 'data-testid="empty-attention"' in html
    assert 'data-testid="acknowledge-box"' not in pages.html(f"/hazards/{hazard.id}")
    assert pages.post(f"/hazards/{hazard.id}/acknowledge", data={}).status_code == 403

    relogin(pages, world.supervisor_a)
    html = pages.html("/hazards")
    assert rows(html) == 1 and 'data-testid="reason-escalated"' in html
    assert "天河实验学校" in html and 'data-testid="row-acknowledge"' in html
    response = pages.post(f"/hazards/{hazard.id}/acknowledge", data={"back": "list"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/hazards")
    db.session.refresh(hazard)
    assert hazard.acknowledged_by == "supervisor_a"
    html = pages.html("/hazards")
    assert rows(html) == 0 and 'data-testid="flash-success"' in html
    response = pages.post(f"/hazards/{hazard.id}/acknowledge", data={"comment": "再次"})
    assert response.status_code == 409
    assert "already acknowledged" in response.get_data(as_text=True)
    html = pages.html(f"/hazards/{hazard.id}")
    assert 'data-testid="acknowledgement"' in html and 'data-action="acknowledge"' in html


def test_acknowledging_with_a_comment_on_the_hazard_page(world, pages):
    hazard = make_hazard(world.unit_a)
    service.escalate(coordinator_of(world.unit_a), hazard, "police", "涉及周边治安")
    db.session.commit()
    pages.login(world.police_a)
    html = pages.html(f"/hazards/{hazard.id}")
    assert 'data-testid="acknowledge-box"' in html
    response = pages.post(f"/hazards/{hazard.id}/acknowledge",
                          data={"comment": "长" * 4001})
    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), "comment")
    response = pages.post(f"/hazards/{hazard.id}/acknowledge", data={"comment": "已安排巡逻"})
    assert response.status_code == 302
    assert "已安排巡逻" in pages.html(f"/hazards/{hazard.id}")


# Across the scope: /hazards

def test_hazards_across_the_scope_default_to_what_needs_the_user(world, make, pages):
    late_order = make_order(world.unit_a, world.police_a, due_date=days(world.unit_a, -1))
    make_order(world.unit_a, world.police_a, description="门禁未登记")  # not overdue
    other = make_order(world.other_unit_a, world.police_a, description="医院急诊安检缺失",
                       due_date=days(world.other_unit_a, -5))
    to_police = make_hazard(world.other_unit_a, description="停车场照明不足")
    service.escalate(coordinator_of(world.other_unit_a), to_police, "police", "需要警方协助")
    to_supervisor = make_hazard(world.unit_a, description="校门外摊贩")
    service.escalate(coordinator_of(world.unit_a), to_supervisor, "supervisor", "需要协调")
    make_order(world.unit_b, world.police_b, due_date=days(world.unit_b, -1))  # out of scope
    db.session.commit()
    pages.login(world.police_a)
    html = pages.html("/hazards")
    ids = {int(i) for i in re.findall(r'data-testid="hazard-row" data-hazard-id="(\d+)"', html)}
    assert ids == {late_order.id, other.id, to_police.id}
    assert html.count('data-testid="reason-overdue-order"') == 2
    assert html.count('data-testid="row-acknowledge"') == 1
    assert "天河医院" in html and "天河实验学校" in html and "越秀" not in html
    html = pages.html("/hazards?view=all")
    assert rows(html) == 5 and 'data-testid="filters"' in html
    html = pages.html(f"/hazards?unit_id={world.other_unit_a.id}")
    assert rows(html) == 2 and 'data-testid="view-all"' in html
    assert rows(pages.html("/hazards?order=false&acknowledged=false")) == 2
    assert rows(pages.html("/hazards?severity=high&overdue=true")) == 2

    relogin(pages, world.supervisor_a)  # schools of district A
    html = pages.html("/hazards")
    ids = {int(i) for i in re.findall(r'data-testid="hazard-row" data-hazard-id="(\d+)"', html)}
    assert ids == {late_order.id, to_supervisor.id}
    relogin(pages, world.admin)
    assert rows(pages.html("/hazards")) == 5

    relogin(pages, world.coordinator_a)
    response = pages.get("/hazards")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/units/{world.unit_a.id}/hazards")


def test_the_list_across_units_loads_units_without_a_query_per_row(world, make, pages):
    pages.login(world.police_a)
    for i in range(3):
        unit = make.unit(world.station_a, name=f"单位{i}")
        make_order(unit, world.police_a, due_date=days(unit, -1))
    with count_queries() as few:
        pages.html("/hazards?view=all")
    for i in range(3, 12):
        unit = make.unit(world.station_a, name=f"单位{i}")
        make_order(unit, world.police_a, due_date=days(unit, -1))
    with count_queries() as many:
        html = pages.html("/hazards?view=all")
    assert rows(html) == 12 and "单位11" in html
    assert many() == few()


# One state badge, confirmations, dates and amounts in the reader's language (issue 8)

def _tag(html: str, testid: str) -> str:
    """The opening tag of the first element with that data-testid."""
    match = re.search(r'<[^>]*data-testid="%s"[^>]*>' % re.escape(testid), html)
    assert match, testid
    return match.group(0)


def _form_tag(html: str, testid: str) -> str:
    """The opening <form> tag with that data-testid, across its line breaks."""
    match = re.search(r'<form\b[^>]*data-testid="%s"[^>]*>' % re.escape(testid), html, re.S)
    assert match, testid
    return match.group(0)


def test_overdue_is_shown_by_the_one_state_badge(world, pages):
    order = make_order(world.unit_a, world.police_a, due_date=days(world.unit_a, -3))
    pages.login(world.police_a)
    html = pages.html(f"/hazards/{order.id}")
    badge = _tag(html, "overdue-badge")
    assert 'data-state="overdue"' in badge and "state-badge" in badge
    assert "compliance-" in badge
    html = pages.html("/hazards")
    badge = _tag(html, "reason-overdue-order")
    assert 'data-state="overdue"' in badge and "state-badge" in badge
    assert "Order overdue: penalty exposure" in html
    html = pages.html(f"/units/{world.unit_a.id}/hazards")
    assert 'data-state="overdue"' in _tag(html, "overdue-marker")


def test_irreversible_hazard_actions_ask_first(world, pages):
    hazard = make_hazard(world.unit_a)
    service.rectify(coordinator_of(world.unit_a), hazard, "已修复", [])
    escalated = make_hazard(world.unit_a, description="校门外摊贩")
    service.escalate(coordinator_of(world.unit_a), escalated, "supervisor", "需要协调")
    db.session.commit()
    pages.login(world.coordinator_a)
    html = pages.html(f"/hazards/{hazard.id}")
    for form in ("accept-form", "reject-form", "escalate-form"):
        assert re.search(r'data-confirm="[^"]+"', _form_tag(html, form)), form
    relogin(pages, world.supervisor_a)
    html = pages.html(f"/hazards/{escalated.id}")
    assert re.search(r'data-confirm="[^"]+"', _form_tag(html, "acknowledge-form"))
    html = pages.html("/hazards")
    assert re.search(r'data-confirm="[^"]+"', _form_tag(html, "row-acknowledge-form"))


def test_dates_times_and_amounts_follow_the_language(world, pages):
    due = days(world.unit_a, -3)
    order = make_order(world.unit_a, world.police_a, due_date=due, owner="王五")
    pages.login(world.police_a)
    html = pages.html(f"/units/{world.unit_a.id}/hazards")
    cell = html.split('data-testid="due-date"')[1].split("</span>")[0]
    assert f'data-date="{due}"' in cell and f'<time datetime="{due}">' in cell
    assert f"{due:%b} {due.day}, {due.year}</time>" in cell
    html = pages.html(f"/hazards/{order.id}")
    assert f"Overdue since <time datetime=\"{due}\">{due:%b} {due.day}, {due.year}</time>" in html
    assert "10,000–100,000 yuan" in html and "500–5,000 yuan" in html
    step = html.split('data-testid="step-time"')[1].split("</span>")[0]
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d\+08:00">', step)
    assert str(due) not in re.sub(r'(datetime|data-date|value)="[^"]*"', "", html)
    pages.post("/language/zh_CN")
    html = pages.html(f"/hazards/{order.id}")
    assert f"{due.year}年{due.month}月{due.day}日" in html
    response = pages.post(f"/units/{world.unit_a.id}/orders/new", data={
        "description": "门禁未登记", "due_date": str(due), "severity": "high", "owner": "王五"})
    assert response.status_code == 302
    html = pages.html(response.headers["Location"])
    flash = html.split('data-testid="flash-success"')[1].split("</div>")[0]
    assert f"{due.year}年{due.month}月{due.day}日" in flash and str(due) not in flash


def test_english_forms_carry_no_chinese_glosses(world, pages):
    pages.login(world.police_a)
    html = pages.html(f"/units/{world.unit_a.id}/orders/new")
    html += pages.html(f"/units/{world.unit_a.id}/hazards")  # the empty ledger of the police
    relogin(pages, world.coordinator_a)
    html += pages.html(f"/units/{world.unit_a.id}/hazards/new")
    for gloss in ("421号", "十七", "重点部位", "限期", "东门围栏", "《", "责令"):
        assert gloss not in html, gloss
    assert "Decree No. 421" in html


def test_every_hazard_field_and_table_is_labelled(world, pages):
    hazard = make_hazard(world.unit_a)
    pages.login(world.coordinator_a)
    for url in (f"/units/{world.unit_a.id}/hazards", f"/hazards/{hazard.id}",
                f"/units/{world.unit_a.id}/hazards/new", f"/hazards/{hazard.id}/edit"):
        html = pages.html(url)
        assert unlabelled(html) == [], url
        assert uncaptioned(html) == 0, url
