"""`GET /notifications` and marking them read (API.md "Notifications and audit"): the
caller's own, newest first, paginated, `unread` filter; nobody reads or marks another's
(404, admins included); each written in its recipient's language."""
import json
from datetime import date, datetime, timedelta, timezone

import pytest

from anbao.extensions import db
from anbao.outbox.models import Notification
from equipment import service as equipment
from scheduler import jobs
from tests.conftest import count_queries

BASE = datetime(2027, 3, 1, 1, 30, tzinfo=timezone.utc)   # 09:30 in Shanghai
FIELDS = {"id", "kind", "subject", "body", "created_at", "read_at", "channels"}


def note(user, n: int, unit=None, kind: str = "reminder_7d", email: str | None = None,
         user_id: int | None = None) -> Notification:
    """A notification for the user, the n-th (later n, later instant)."""
    row = Notification(
        key=f"u{user.id if user else 'x'}|{kind}|test|{n}",
        user_id=user.id if user else user_id, unit_id=unit.id if unit else None,
        email=email, language="zh_CN", kind=kind, subject=f"主题 {n}", body=f"正文 {n}",
        other_subject=f"Subject {n}", other_body=f"Body {n}", link=f"/activities/{n}",
        created_at=BASE + timedelta(minutes=n), email_status="pending" if email else "none",
        next_attempt_at=BASE if email else None)
    db.session.add(row)
    db.session.commit()
    return row


def listing(api, user, query: str = "", expect: int = 200):
    response = api.get(f"/notifications{query}", as_=user)
    assert response.status_code == expect, response.get_json()
    return response


@pytest.fixture
def inbox(world):
    """Three of coordinator_a's (one also by email), two of coordinator_b's, one of the
    admin's, one email-only message."""
    mine = [note(world.coordinator_a, 1, world.unit_a),
            note(world.coordinator_a, 2, world.unit_a, "obligation_due_soon",
                 email="coord@example.cn"),
            note(world.coordinator_a, 3, world.unit_a, "hazard_overdue")]
    theirs = [note(world.coordinator_b, 4, world.unit_b), note(world.coordinator_b, 5,
                                                               world.unit_b)]
    admins = note(world.admin, 6)
    bare = note(None, 7, world.unit_a, email="zhao@example.cn")
    return {"mine": mine, "theirs": theirs, "admin": admins, "bare": bare}


def test_the_callers_notifications_newest_first(api, world, inbox):
    response = listing(api, world.coordinator_a)
    body = response.get_json()
    assert [n["id"] for n in body] == [n.id for n in reversed(inbox["mine"])]
    assert json.loads(response.headers["X-Pagination"])["total"] == 3
    for item in body:
        assert FIELDS <= set(item)
    newest = body[0]
    assert (newest["kind"], newest["subject"], newest["body"], newest["read_at"]) == (
        "hazard_overdue", "主题 3", "正文 3", None)
    # an instant with the unit's offset
    assert newest["created_at"] == "2027-03-01T09:33:00+08:00"
    assert datetime.fromisoformat(newest["created_at"]) == BASE + timedelta(minutes=3)
    assert body[0]["channels"] == ["in_app"]
    assert body[1]["channels"] == ["in_app", "email"]
    assert "主题 3".encode() in response.data   # Chinese as is


def test_a_notification_about_no_unit_shows_the_configured_zone(api, world):
    note(world.police_a, 1, kind="compliance_digest")
    (item,) = listing(api, world.police_a).get_json()
    assert item["created_at"] == "2027-03-01T09:31:00+08:00"


def test_the_list_is_paginated(api, world):
    rows = [note(world.coordinator_a, n, world.unit_a) for n in range(7)]
    expected = [r.id for r in reversed(rows)]
    seen = []
    for page in (1, 2, 3):
        response = listing(api, world.coordinator_a, f"?page={page}&page_size=3")
        meta = json.loads(response.headers["X-Pagination"])
        assert (meta["total"], meta["total_pages"], meta["page"]) == (7, 3, page)
        seen += [n["id"] for n in response.get_json()]
    assert seen == expected
    assert listing(api, world.coordinator_a, "?page=4&page_size=3").get_json() == []
    assert listing(api, world.coordinator_a, "?page_size=501", expect=422)


def test_unread_ones_and_marking_one_read(api, world, inbox):
    first = inbox["mine"][0]
    response = api.post(f"/notifications/{first.id}/read", as_=world.coordinator_a)
    assert response.status_code == 200, response.get_json()
    read_at = response.get_json()["read_at"]
    assert read_at and datetime.fromisoformat(read_at).utcoffset() == timedelta(hours=8)
    # again: still read, as of the first time
    again = api.post(f"/notifications/{first.id}/read", as_=world.coordinator_a)
    assert again.status_code == 200 and again.get_json()["read_at"] == read_at
    unread = listing(api, world.coordinator_a, "?unread=true")
    assert [n["id"] for n in unread.get_json()] == [n.id for n in reversed(inbox["mine"][1:])]
    assert json.loads(unread.headers["X-Pagination"])["total"] == 2
    everything = listing(api, world.coordinator_a, "?unread=false").get_json()
    assert [n["read_at"] is not None for n in everything] == [False, False, True]
    assert listing(api, world.coordinator_a, "?unread=maybe", expect=422)


@pytest.mark.parametrize("other", ["coordinator_b", "admin", "police_a", "staff_a",
                                   "supervisor_a"])
def test_nobody_reads_or_marks_another_users_notifications(api, world, inbox, other):
    user = getattr(world, other)
    theirs = {n["id"] for n in listing(api, user, "?page_size=500").get_json()}
    assert not theirs & {n.id for n in inbox["mine"]}
    assert inbox["bare"].id not in theirs
    for target in (*inbox["mine"], inbox["bare"]):
        response = api.post(f"/notifications/{target.id}/read", as_=user)
        assert response.status_code == 404, response.get_json()
        assert response.get_json()["code"] == 404
    assert api.post("/notifications/99999/read", as_=user).status_code == 404
    # marking all their own leaves coordinator_a's alone
    assert api.post("/notifications/read", as_=user).status_code == 200
    db.session.expire_all()
    assert all(db.session.get(Notification, n.id).read_at is None for n in inbox["mine"])


def test_the_admin_sees_only_their_own(api, world, inbox):
    body = listing(api, world.admin).get_json()
    assert [n["id"] for n in body] == [inbox["admin"].id]


def test_marking_all_read(api, world, inbox):
    response = api.post("/notifications/read", as_=world.coordinator_a)
    assert response.status_code == 200 and response.get_json() == {"marked": 3}
    assert listing(api, world.coordinator_a, "?unread=true").get_json() == []
    assert api.post("/notifications/read", as_=world.coordinator_a).get_json() == {"marked": 0}
    # the others' stay unread
    assert len(listing(api, world.coordinator_b, "?unread=true").get_json()) == 2
    db.session.expire_all()
    assert db.session.get(Notification, inbox["bare"].id).read_at is None


def test_notifications_need_a_login(api, inbox):
    assert api.get("/notifications").status_code == 401
    assert api.post(f"/notifications/{inbox['mine'][0].id}/read").status_code == 401
    assert api.post("/notifications/read").status_code == 401


def test_each_user_reads_a_notification_in_their_own_language(app, api, world, make):
    """Written for the recipient when it is queued: an English coordinator gets English,
    a Chinese one Chinese, whatever language the request asks for."""
    world.coordinator_a.language = "en"
    db.session.commit()
    chinese = make.user("coordinator", "coordinator_zh", unit_id=world.unit_a.id)
    equipment.create_equipment(world.coordinator_a, world.unit_a, {
        "category": "fire", "name": "干粉灭火器", "quantity": 6,
        "expires_on": date(2027, 2, 27)})
    db.session.commit()
    jobs.daily(app, BASE)
    db.session.expire_all()
    for user, word, other in ((world.coordinator_a, "Expired", "已过期"),
                              (chinese, "已过期", "Expired")):
        response = api.get("/notifications", as_=user,
                           headers={"Accept-Language": "zh-CN" if word == "Expired" else "en"})
        (alert,) = [n for n in response.get_json() if n["kind"] == "equipment_alert"]
        assert word in alert["subject"] and other not in alert["subject"]
        assert "干粉灭火器" in alert["subject"]
        assert word in alert["body"] and "天河实验学校" in alert["body"]


def test_a_page_of_50_takes_as_many_statements_as_a_page_of_5(api, world, make):
    """The units of the notifications on a page (their zones) load at once, not one by one:
    5 notifications about 5 units take as many statements as 50 about 10."""
    units = [make.unit(world.district_a, name=f"单位{n}") for n in range(10)]
    for n in range(5):
        note(world.coordinator_a, n, units[n])
    for n in range(50):
        note(world.coordinator_b, 100 + n, units[n % 10])
    listing(api, world.coordinator_a)   # tokens made
    listing(api, world.coordinator_b)
    db.session.expire_all()   # each request loads what it needs, as in its own session
    with count_queries() as small:
        assert len(listing(api, world.coordinator_a).get_json()) == 5
    db.session.expire_all()
    with count_queries() as large:
        assert len(listing(api, world.coordinator_b).get_json()) == 50
    assert small() == large(), (small(), large())
