"""The demo shows a term of drills and trainings through the API as users see them."""
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from anbao import demo
from anbao.auth.models import User
from anbao.extensions import db
from units.models import Unit
from units.service import today_in


def _user(name):
    return db.session.scalar(sa.select(User).where(User.username == name))


def test_the_school_term_shows_series_moves_cancellations_and_outcomes(api):
    demo.load()
    school = db.session.scalar(sa.select(Unit).where(Unit.category == "school"))
    coordinator = _user("coordinator")
    activities = api.get(f"/units/{school.id}/activities", as_=coordinator).get_json()
    assert {a["kind"] for a in activities} == {"drill", "training"}
    assert any(a["rrule"] and "COUNT" not in a["rrule"] for a in activities)  # unbounded
    assert any(a["status"] == "cancelled" for a in activities)
    series = next(a for a in activities if a["rrule"] and "COUNT" in a["rrule"])
    assert {e["status"] for e in series["exceptions"]} == {"completed", "scheduled",
                                                           "cancelled"}
    assert len(api.get(f"/activities/{series['id']}/outcomes", as_=coordinator)
               .get_json()) >= 2

    today = today_in(school)
    rows = api.get(f"/units/{school.id}/schedule", as_=coordinator, query_string={
        "from": (today - timedelta(days=120)).isoformat(),
        "to": (today + timedelta(days=60)).isoformat()}).get_json()
    assert {r["status"] for r in rows} == {"scheduled", "completed", "cancelled"}

    # the teacher sees the unannounced drill as a busy block only
    staff_rows = api.get(f"/units/{school.id}/schedule", as_=_user("staff"), query_string={
        "from": today.isoformat(), "to": (today + timedelta(days=14)).isoformat()}).get_json()
    unannounced = next(a for a in activities if a["unannounced"])
    masked = [r for r in staff_rows if r["activity_id"] == unannounced["id"]]
    assert masked and masked[0]["title"] != unannounced["title"]

    drill_hazards = api.get(f"/units/{school.id}/hazards", as_=coordinator,
                            query_string={"source": "drill"}).get_json()
    assert len(drill_hazards) >= 3


def test_the_demo_feeds_read_cleanly_and_agree_with_the_schedule(api, client):
    """What a calendar client does with the demo's feeds: parse, expand, compare."""
    import icalendar
    import recurring_ical_events

    demo.load()
    school = db.session.scalar(sa.select(Unit).where(Unit.category == "school"))
    today = today_in(school)
    first, last = today - timedelta(days=60), today + timedelta(days=60)
    for name, link in (("coordinator", f"/units/{school.id}/calendar"),
                       ("coordinator", "/me/calendar"), ("staff", "/me/calendar")):
        url = api.get(link, as_=_user(name)).get_json()["url"]
        body = client.get("/" + url.split("/", 3)[3]).data
        assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")
        assert all(len(line) <= 75 for line in body.split(b"\r\n"))
        calendar = icalendar.Calendar.from_ical(body)
        events = recurring_ical_events.of(calendar).between(first, last + timedelta(days=1))
        # the coordinator's own feed also has the obligations' due dates, as whole days
        due = [e for e in events if str(e["UID"]).startswith("obligation-")]
        assert bool(due) == (link == "/me/calendar" and name == "coordinator")
        assert all(type(e["DTSTART"].dt) is date for e in due)
        fed = sorted(e["DTSTART"].dt for e in events if e not in due)
        rows = api.get(f"/units/{school.id}/schedule", as_=_user(name), query_string={
            "from": first.isoformat(), "to": last.isoformat()}).get_json()
        scheduled = sorted(datetime.fromisoformat(r["starts_at"]) for r in rows)
        if name == "staff":  # only the drills the teacher takes part in
            assert fed and set(fed) <= set(scheduled)
        else:
            assert fed == scheduled, (name, link)
