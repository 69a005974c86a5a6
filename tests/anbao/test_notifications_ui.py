"""Issue 8 on the notifications page: a kind filter with the unread one, paging that keeps
them, a confirmation before marking everything read, localized times."""
import html as htmllib
import re
from datetime import datetime, timezone

from tests.anbao.test_notifications_views import items, many, note
from tests.anbao.test_views import pages  # noqa: F401  (fixture)
from tests.conftest import count_queries


def test_filter_by_kind_and_unread(world, pages):
    first = note(world.coordinator_a, 1, kind="hazard_overdue")
    second = note(world.coordinator_a, 2, kind="obligation_due_soon", read=True)
    third = note(world.coordinator_a, 3, kind="hazard_overdue", read=True)
    pages.login(world.coordinator_a)
    html = pages.html("/notifications")
    assert 'data-testid="notification-filters"' in html and 'for="filter-kind"' in html
    assert [i["id"] for i in items(pages.html("/notifications?kind=hazard_overdue"))] == [
        third.id, first.id]
    assert [i["id"] for i in items(pages.html("/notifications?kind=hazard_overdue&unread=true"))] \
        == [first.id]
    assert [i["id"] for i in items(pages.html("/notifications?kind=obligation_due_soon"))] == [
        second.id]
    empty = pages.html("/notifications?kind=report_reviewed")
    assert 'data-testid="empty-state"' in empty and 'data-testid="clear-filters"' in empty


def test_an_unknown_kind_is_ignored(world, pages):
    note(world.coordinator_a, 1)
    pages.login(world.coordinator_a)
    for query in ("?kind=nope", "?kind=", "?kind=%00", "?page=x&kind=hazard_overdue"):
        assert pages.get("/notifications" + query).status_code == 200, query
    assert len(items(pages.html("/notifications?kind=nope"))) == 1


def test_kind_filter_shows_only_ones_own(world, pages):
    note(world.coordinator_b, 1, kind="hazard_overdue")
    mine = note(world.coordinator_a, 2, kind="hazard_overdue")
    pages.login(world.coordinator_a)
    assert [i["id"] for i in items(pages.html("/notifications?kind=hazard_overdue"))] == [mine.id]


def test_paging_keeps_the_kind(world, pages):
    many(world.coordinator_a, 55, kind="hazard_due_soon")
    pages.login(world.coordinator_a)
    with count_queries() as n:
        first = pages.html("/notifications?kind=hazard_due_soon")
    assert n() < 20
    assert len(items(first)) == 50
    link = htmllib.unescape(re.search(r'href="([^"]*page=2[^"]*)"', first).group(1))
    assert "kind=hazard_due_soon" in link
    assert len(items(pages.html(link))) == 5


def test_mark_all_read_asks_first(world, pages):
    note(world.coordinator_a, 1)
    pages.login(world.coordinator_a)
    html = pages.html("/notifications")
    tag = re.search(r'<form[^>]*data-testid="mark-all-read-form"[^>]*>', html, re.S).group(0)
    assert "data-confirm=" in tag
    response = pages.post("/notifications/read")
    assert response.status_code == 302
    assert 'data-testid="flash-success"' in pages.html("/notifications")


def test_times_are_localized_and_keep_iso(world, pages):
    note(world.coordinator_a, 1, at=datetime(2031, 3, 1, 2, 1, tzinfo=timezone.utc), read=True)
    pages.login(world.coordinator_a, language="en")
    html = pages.html("/notifications")
    assert '<time datetime="2031-03-01T10:01+08:00">Mar 1, 2031 10:01</time>' in html
    assert re.search(r'Read at <time datetime="2031-03-01T1\d:\d\d\+08:00">', html)
