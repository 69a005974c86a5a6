"""The notifications page (anbao.outbox.views): the caller's messages newest first with the
unread filter and pages, opening one (marks it read, goes to its page, never off the site),
marking read, the bell with its unread count on every page, and a constant number of
statements however many messages there are."""
import re
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from flask import current_app

from anbao.extensions import db
from anbao.outbox import service as outbox
from anbao.outbox.models import Notification
from drills import reminders
from tests.anbao.test_views import pages  # noqa: F401  (fixture)
from tests.conftest import count_queries
from tests.drills.test_views import make_activity

NOW = datetime(2031, 3, 1, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai


def note(user, n: int = 1, *, kind: str = "obligation_due_soon", unit=None, link: str = "",
         read: bool = False, at: datetime | None = None, subject: str | None = None,
         language: str = "zh_CN") -> Notification:
    """A notification row for `user`, as the scheduler would have queued it."""
    row = Notification(
        key=f"u{user.id}|{kind}|test:{n}|p", user_id=user.id,
        unit_id=unit.id if unit else user.unit_id, email=None, language=language, kind=kind,
        subject=subject or f"通知{n}", body=f"第一行{n}\n第二行{n}",
        other_subject=f"Notice {n}", other_body=f"First line {n}\nSecond line {n}",
        link=link, created_at=at or NOW + timedelta(minutes=n),
        read_at=NOW + timedelta(hours=1) if read else None)
    db.session.add(row)
    db.session.commit()
    return row


def many(user, count: int, **fields) -> None:
    for n in range(1, count + 1):
        note(user, n, **fields)


def reminder(world):
    """A real 7-day reminder of a drill of unit A to its coordinator, queued by the job."""
    activity = make_activity(world.unit_a, start=NOW + timedelta(days=5))
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        assert reminders.remind(NOW) >= 1
    db.session.commit()
    found = db.session.scalars(sa.select(Notification).where(
        Notification.user_id == world.coordinator_a.id,
        Notification.kind == "reminder_7d")).one()
    return activity, found


def items(html: str) -> list[dict]:
    """Each notification on the page: id, kind and read state, in order."""
    return [{"id": int(i), "kind": k, "read": r == "true"} for i, k, r in re.findall(
        r'data-testid="notification"\s+data-notification-id="(\d+)" data-kind="(\w+)" '
        r'data-read="(\w+)"', html)]


def badge(html: str) -> int:
    match = re.search(r'data-testid="notification-bell" data-unread="(\d+)"', html)
    assert match, "no bell"
    return int(match.group(1))


def fresh(row: Notification) -> Notification:
    db.session.expire_all()
    return db.session.get(Notification, row.id)


# The list

def test_the_list_shows_the_callers_notifications_newest_first(world, pages):
    first = note(world.coordinator_a, 1, link="/x")
    second = note(world.coordinator_a, 2, kind="hazard_overdue", read=True)
    note(world.coordinator_b, 3)  # someone else's
    pages.login(world.coordinator_a, language="zh_CN")
    html = pages.html("/notifications")
    assert [i["id"] for i in items(html)] == [second.id, first.id]
    assert items(html)[0]["read"] and not items(html)[1]["read"]
    assert "通知1" in html and "第一行1\n第二行1" in html and "通知3" not in html
    # the time in the unit's zone: 02:01 UTC is 10:01 in Shanghai
    assert "2031年3月1日 10:01" in html and 'datetime="2031-03-01T10:01+08:00"' in html
    assert 'data-testid="kind-badge"' in html
    assert html.count('data-testid="unread-marker"') == 1
    assert html.count('data-testid="open-notification"') == 1  # only the one with a link
    assert html.count('data-testid="mark-read"') == 1  # only the unread one


def test_the_time_without_a_unit_is_in_the_configured_zone(world, pages):
    note(world.police_a, 1, at=datetime(2031, 3, 1, 23, 30, tzinfo=timezone.utc))
    pages.login(world.police_a)
    assert "Mar 2, 2031 07:30" in pages.html("/notifications")


def test_the_english_page_shows_the_english_version(world, pages):
    note(world.coordinator_a, 1)
    pages.login(world.coordinator_a, language="en")
    html = pages.html("/notifications")
    assert '<html lang="en">' in html
    assert "Notice 1" in html and "First line 1\nSecond line 1" in html
    assert "通知1" not in html
    assert ">Notifications</h1>" in html and "Mark all read" in html


def test_the_unread_filter(world, pages):
    unread = note(world.coordinator_a, 1)
    note(world.coordinator_a, 2, read=True)
    pages.login(world.coordinator_a)
    html = pages.html("/notifications?unread=true")
    assert [i["id"] for i in items(html)] == [unread.id]
    assert re.search(r'class="nav-link active" href="/notifications\?unread=true"\s+'
                     r'aria-current="page"', html)
    pages.post(f"/notifications/{unread.id}/read")
    html = pages.html("/notifications?unread=true")
    assert items(html) == [] and 'data-testid="empty-state"' in html


def test_pages_of_fifty(world, pages):
    many(world.coordinator_a, 60)
    pages.login(world.coordinator_a)
    first = pages.html("/notifications")
    assert len(items(first)) == 50 and 'data-testid="pagination"' in first
    second = pages.html("/notifications?page=2")
    assert len(items(second)) == 10
    assert items(first)[0]["id"] > items(second)[0]["id"]


def test_an_empty_page_says_what_comes_here(world, pages):
    pages.login(world.coordinator_a)
    html = pages.html("/notifications")
    assert 'data-testid="empty-state"' in html
    assert "7 days and 1 day before" in html
    assert 'data-testid="mark-all-read"' not in html


def test_the_page_needs_a_login(client):
    response = client.get("/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_page_has_no_inline_script_or_style(world, pages):
    many(world.coordinator_a, 3, link="/x")
    pages.login(world.coordinator_a)
    html = pages.html("/notifications")
    assert "style=" not in html and "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


# Open, mark read, mark all

def test_open_marks_it_read_and_goes_to_its_page(world, pages):
    activity, row = reminder(world)
    assert row.link == f"/activities/{activity.id}"
    pages.login(world.coordinator_a)
    html = pages.html("/notifications")
    assert "防暴恐应急疏散演练" in html
    response = pages.post(f"/notifications/{row.id}/open")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/activities/{activity.id}"
    assert fresh(row).read_at is not None
    assert pages.get(response.headers["Location"]).status_code == 200
    # opening it again keeps the first reading time
    first = fresh(row).read_at
    pages.post(f"/notifications/{row.id}/open")
    assert fresh(row).read_at == first


@pytest.mark.parametrize("link", [
    "https://evil.example/x", "//evil.example/x", "/\\evil.example", "javascript:alert(1)",
    "evil.example/x", "/\x01/x", "/\n/x", ""])
def test_open_never_leaves_the_site(world, pages, link):
    # (a NUL character cannot be stored in PostgreSQL text at all)
    row = note(world.coordinator_a, 1, link=link)
    pages.login(world.coordinator_a)
    html = pages.html("/notifications")
    assert 'data-testid="open-notification"' not in html
    response = pages.post(f"/notifications/{row.id}/open")
    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications"
    assert fresh(row).read_at is not None
    assert "no page to open" in pages.html("/notifications")


def test_the_back_field_cannot_leave_the_site(world, pages):
    row = note(world.coordinator_a, 1)
    pages.login(world.coordinator_a)
    response = pages.post(f"/notifications/{row.id}/read",
                          data={"back": "//evil.example/notifications"})
    assert response.headers["Location"] == "/notifications"
    other = note(world.coordinator_a, 2)
    response = pages.post(f"/notifications/{other.id}/read",
                          data={"back": "/notifications?unread=true&page=2"})
    assert response.headers["Location"] == "/notifications?unread=true&page=2"


def test_mark_read_flashes_and_needs_csrf(world, pages):
    row = note(world.coordinator_a, 1)
    pages.login(world.coordinator_a)
    assert pages.client.post(f"/notifications/{row.id}/read").status_code == 400
    assert fresh(row).read_at is None
    response = pages.post(f"/notifications/{row.id}/read")
    assert response.status_code == 302
    assert fresh(row).read_at is not None
    html = pages.html("/notifications")
    assert "Notification marked read." in html
    assert items(html)[0]["read"]


def test_mark_all_read(world, pages):
    rows = [note(world.coordinator_a, n) for n in range(1, 4)]
    theirs = note(world.coordinator_b, 9)
    pages.login(world.coordinator_a)
    assert badge(pages.html("/notifications")) == 3
    response = pages.post("/notifications/read")
    assert response.status_code == 302 and response.headers["Location"] == "/notifications"
    html = pages.html("/notifications")
    assert "All notifications marked read (3)." in html
    assert badge(html) == 0
    assert all(fresh(row).read_at is not None for row in rows)
    assert fresh(theirs).read_at is None
    pages.post("/notifications/read")
    assert "There were no unread notifications." in pages.html("/notifications")


@pytest.mark.parametrize("action", ["open", "read"])
def test_another_users_notification_does_not_exist(world, pages, action):
    theirs = note(world.coordinator_b, 1, link="/x")
    pages.login(world.coordinator_a)
    assert pages.post(f"/notifications/{theirs.id}/{action}").status_code == 404
    assert pages.post(f"/notifications/999999/{action}").status_code == 404
    assert fresh(theirs).read_at is None
    pages.post("/logout")
    pages.login(world.admin)  # an admin reads nobody else's either
    assert pages.post(f"/notifications/{theirs.id}/{action}").status_code == 404


# The bell

def test_the_bell_shows_the_unread_count_on_every_page(world, pages):
    many(world.coordinator_a, 3)
    note(world.coordinator_a, 4, read=True)
    note(world.coordinator_b, 5)
    pages.login(world.coordinator_a)
    for url in (f"/units/{world.unit_a.id}", f"/units/{world.unit_a.id}/compliance",
                "/notifications"):
        html = pages.html(url)
        assert badge(html) == 3, url
        assert 'data-testid="unread-badge" aria-hidden="true">3</span>' in html
        assert "3 unread notifications" in html  # for screen readers
        assert 'href="/notifications"' in html


def test_the_bell_without_unread_has_no_badge(world, pages):
    note(world.coordinator_a, 1, read=True)
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}")
    assert badge(html) == 0
    assert 'data-testid="unread-badge"' not in html
    assert "Notifications, none unread" in html


def test_the_bell_caps_the_figure_but_not_the_spoken_count(world, pages):
    many(world.coordinator_a, 120)
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}")
    assert ">99+</span>" in html and "120 unread notifications" in html


def test_the_bell_is_not_on_the_login_page(client):
    assert 'data-testid="notification-bell"' not in client.get("/login").get_data(as_text=True)


def test_the_bell_in_chinese(world, pages):
    many(world.coordinator_a, 2)
    pages.login(world.coordinator_a, language="zh_CN")
    html = pages.html(f"/units/{world.unit_a.id}")
    assert badge(html) == 2


@contextmanager
def statements():
    """The SQL statements run inside the block."""
    seen = []

    def listener(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)


@pytest.mark.parametrize("url", ["/units/{unit}", "/units/{unit}/compliance", "/notifications",
                                 "/units/{unit}/hazards"])
def test_the_count_is_one_statement_per_page(world, pages, url):
    """The bell reads the notifications table once per page, and the page's statements do
    not grow with the number of messages."""
    url = url.format(unit=world.unit_a.id)
    pages.login(world.coordinator_a)
    many(world.coordinator_a, 2)
    pages.html(url)
    with statements() as few:
        assert badge(pages.html(url)) == 2
    reads = [s for s in few if re.search(r"\bFROM notifications\b", s)]
    assert len(reads) == (1 if url != "/notifications" else 3)  # the list: its count and page
    for n in range(3, 10):
        note(world.coordinator_a, n)
    pages.html(url)
    with statements() as more:
        assert badge(pages.html(url)) == 9
    assert len(more) == len(few)


def test_the_page_runs_the_same_statements_for_5_and_60_notifications(world, pages, make):
    other = make.unit(world.station_a, name="另一单位")

    def statements():
        pages.html("/notifications")  # warm
        with count_queries() as n:
            html = pages.html("/notifications")
        return n(), html

    pages.login(world.coordinator_a)
    for n in range(1, 6):
        note(world.coordinator_a, n, unit=other if n % 2 else world.unit_a,
             kind=list(KINDS)[n % len(KINDS)])
    few, html = statements()
    assert len(items(html)) == 5
    for n in range(6, 61):
        note(world.coordinator_a, n, unit=other if n % 2 else world.unit_a,
             kind=list(KINDS)[n % len(KINDS)], read=n % 3 == 0)
    more, html = statements()
    assert len(items(html)) == 50
    assert more == few


KINDS = ("reminder_7d", "reminder_1d", "obligation_due_soon", "obligation_overdue",
         "hazard_due_soon", "hazard_overdue", "equipment_alert", "compliance_digest")


@pytest.mark.parametrize("kind", KINDS + ("report_submitted", "something_new"))
def test_every_kind_has_a_badge_and_an_icon(world, pages, kind):
    note(world.coordinator_a, 1, kind=kind)
    pages.login(world.coordinator_a)
    html = pages.html("/notifications")
    assert items(html)[0]["kind"] == kind
    assert re.search(r'class="badge notification-kind notification-kind-(info|warn|bad)" '
                     r'data-testid="kind-badge">\S', html)
    assert re.search(r'<i class="bi bi-[\w-]+" aria-hidden="true"></i></div>', html)


def test_a_notice_queued_by_notify_shows_its_subject_body_and_link(world, pages):
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        from compliance import rules
        assert outbox.notify(outbox.of_user(world.coordinator_a), "obligation_overdue",
                             "x", "p", now=NOW, unit_id=world.unit_a.id,
                             link=f"/units/{world.unit_a.id}/compliance", unit=world.unit_a,
                             rule=rules.RULES["TRAIN-NATSEC"], due=date(2031, 2, 1),
                             subject=None)
    db.session.commit()
    row = db.session.scalars(sa.select(Notification)).one()
    pages.login(world.coordinator_a, language="en")
    html = pages.html("/notifications")
    assert "Overdue since Feb 1, 2031" in row.other_subject  # the date in English too
    assert html_text(row.other_subject) in html
    assert items(html) == [{"id": row.id, "kind": "obligation_overdue", "read": False}]
    response = pages.post(f"/notifications/{row.id}/open")
    assert response.headers["Location"] == f"/units/{world.unit_a.id}/compliance"


def html_text(text: str) -> str:
    from markupsafe import escape
    return str(escape(text))
