"""Pages of drills and trainings (drills.views): the unit's month calendar and list, the
activity form with its recurrence picker, one activity with its occurrences, the outcome form
and its print view, the calendar subscription pages, the menu."""
import html as htmllib
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from anbao.extensions import db
from drills import outcomes, service
from drills.models import Activity, CalendarFeed, Outcome
from hazards.models import Hazard
from plans.models import Plan
from tests.anbao.test_views import error_of, pages  # noqa: F401  (fixture)
from tests.equipment.test_views import make_item
from tests.plans.test_views import coordinator_of, make_plan
from units.service import today_in

ETAG = re.compile(r'name="etag" value="([^"]+)"')
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """A wall-clock time in Shanghai (the units' zone) as an aware datetime."""
    return datetime.combine(day, time(hour, minute), SHANGHAI)


def make_activity(unit, **fields):
    start = fields.pop("start", at(date(2031, 3, 3)))
    data = {"kind": "drill", "title": "防暴恐应急疏散演练", "scenario": "terror_attack",
            "format": "functional", "starts_at": start,
            "ends_at": start + timedelta(hours=1, minutes=30), "location": "操场",
            "description": "全校师生疏散至操场", **fields}
    activity = service.create_activity(coordinator_of(unit), unit, data)
    db.session.commit()
    return activity


def activity_form(**fields):
    return {"kind": "drill", "title": "防暴恐应急疏散演练", "scenario": "terror_attack",
            "format": "functional", "plan_id": "", "date": "2031-03-03", "start_time": "09:00",
            "end_time": "10:30", "end_date": "", "key_part_id": "", "location": "操场",
            "description": "", "repeat": "none", **fields}


def relogin(pages, user, language="en"):
    if pages.token:
        pages.post("/logout")
    pages.login(user, language=language)


def only_activity() -> Activity:
    db.session.expire_all()
    return db.session.scalars(sa.select(Activity)).one()


def entries(html: str) -> list[str]:
    return re.findall(r'data-testid="calendar-entry"[^>]*', html)


# Who sees which page

def test_every_page_renders_for_the_coordinator(world, pages):
    activity = make_activity(world.unit_a, rrule="FREQ=WEEKLY;COUNT=4")
    unit = world.unit_a.id
    pages.login(world.coordinator_a)
    for url in (f"/units/{unit}/activities", f"/units/{unit}/activities?month=2031-03",
                f"/units/{unit}/activities/new", f"/units/{unit}/activities/new?kind=training",
                f"/activities/{activity.id}", f"/activities/{activity.id}/edit",
                f"/activities/{activity.id}/outcomes/new", "/me/calendar",
                f"/units/{unit}/calendar", f"/units/{unit}"):
        html = pages.html(url)
        assert "style=" not in html, url
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert "<style" not in html, url


@pytest.mark.parametrize("role", ["admin", "police_a", "supervisor_a", "staff_a"])
def test_readers_see_the_calendar_and_the_activity_without_forms(world, pages, role):
    activity = make_activity(world.unit_a, rrule="FREQ=WEEKLY;COUNT=4")
    pages.login(getattr(world, role))
    html = pages.html(f"/units/{world.unit_a.id}/activities?month=2031-03")
    assert len(entries(html)) == 4
    assert 'data-testid="new-drill"' not in html and 'data-testid="new-training"' not in html
    html = pages.html(f"/activities/{activity.id}")
    assert "防暴恐应急疏散演练" in html
    for testid in ("edit-activity", "move-form", "cancel-form", "record-outcome"):
        assert f'data-testid="{testid}"' not in html, testid
    for url in (f"/units/{world.unit_a.id}/activities/new", f"/activities/{activity.id}/edit",
                f"/activities/{activity.id}/outcomes/new"):
        pages.html(url, status=403)
    assert pages.post(f"/activities/{activity.id}/cancel",
                      data={"reason": "x"}).status_code == 403
    assert only_activity().status == "scheduled"


def test_another_units_activities_do_not_exist(world, pages):
    activity = make_activity(world.unit_a)
    for user in (world.coordinator_b, world.police_b):
        relogin(pages, user)
        pages.html(f"/units/{world.unit_a.id}/activities", status=404)
        pages.html(f"/activities/{activity.id}", status=404)
        pages.html(f"/activities/{activity.id}/outcomes/new", status=404)
        pages.html(f"/units/{world.unit_a.id}/calendar", status=404)
    relogin(pages, world.coordinator_b)
    pages.html(f"/units/{world.unit_a.id}/activities/new", status=404)
    pages.html(f"/activities/{activity.id}/edit", status=404)
    assert pages.post(f"/activities/{activity.id}/cancel",
                      data={"reason": "x"}).status_code == 404


def test_subscription_pages_fit_the_role(world, pages):
    pages.login(world.staff_a)
    pages.html("/me/calendar")
    pages.html(f"/units/{world.unit_a.id}/calendar", status=403)
    relogin(pages, world.police_a)
    pages.html("/me/calendar", status=403)
    pages.html(f"/units/{world.unit_a.id}/calendar", status=403)


def test_the_menu_and_the_unit_page_lead_to_drills(world, pages):
    start = at(today_in(world.unit_a) + timedelta(days=3))
    make_activity(world.unit_a, start=start)
    unit = world.unit_a.id
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{unit}/activities")
    assert re.search(r'class="nav-link active"\s+aria-current="page" href="/units/%d/activities"'
                     % unit, html)
    assert 'href="/me/calendar"' in html and 'data-testid="subscribe"' in html
    unit_page = pages.html(f"/units/{unit}")
    assert 'data-testid="drills-link"' in unit_page
    assert re.search(r'data-testid="drills-upcoming">1<', unit_page)
    assert re.search(r'class="nav-link active"\s+aria-current="page" href="/me/calendar"',
                     pages.html("/me/calendar"))
    relogin(pages, world.staff_a)
    html = pages.html(f"/units/{unit}")
    assert f'href="/units/{unit}/activities"' in html and 'href="/me/calendar"' in html
    relogin(pages, world.police_a)
    html = pages.html(f"/units/{unit}")
    nav = html[html.index('<ul class="navbar-nav'):html.index("</ul>")]
    assert "/activities" not in nav and "/me/calendar" not in nav
    assert 'data-testid="drills-link"' in html
    html = pages.html(f"/units/{unit}/activities")
    assert 'data-testid="subscribe"' not in html
    assert re.search(r'class="nav-link active"\s+aria-current="page" href="/units"', html)


# The month calendar and the list

def test_the_month_grid_shows_blocks_by_kind_and_status(world, pages):
    series = make_activity(world.unit_a, rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=4")
    make_activity(world.unit_a, title="全员消防安全培训", kind="training", topic="awareness",
                  scenario=None, format=None, start=at(date(2031, 3, 12), 14))
    actor = coordinator_of(world.unit_a)
    service.cancel(actor, series, "考试周", at(date(2031, 3, 10)))
    service.move(actor, series, at(date(2031, 3, 17)), at(date(2031, 3, 18), 14),
                 at(date(2031, 3, 18), 15))
    db.session.commit()
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/activities?month=2031-03")
    assert 'data-month="2031-03"' in html and "March 2031" in html
    assert html.count('data-testid="calendar-day"') == 42  # Monday 24 February – 6 April
    assert 'data-date="2031-02-24"' in html and 'data-date="2031-04-06"' in html
    found = entries(html)
    assert len(found) == 5
    cell = html[html.index('data-date="2031-03-10"'):html.index('data-date="2031-03-11"')]
    assert 'data-status="cancelled"' in cell and "status-cancelled" in cell
    cell = html[html.index('data-date="2031-03-18"'):html.index('data-date="2031-03-19"')]
    assert 'data-moved="true"' in cell and "14:00" in cell
    cell = html[html.index('data-date="2031-03-12"'):html.index('data-date="2031-03-13"')]
    assert 'data-kind="training"' in cell and "全员消防安全培训" in cell
    assert 'rel="prev" href' not in html
    assert "month=2031-02" in html and "month=2031-04" in html
    assert html.count('data-testid="activity-row"') == 2


def test_today_is_highlighted_and_a_wrong_month_shows_this_one(world, pages):
    today = today_in(world.unit_a)
    pages.login(world.coordinator_a)
    for url in (f"/units/{world.unit_a.id}/activities",
                f"/units/{world.unit_a.id}/activities?month=2031-13",
                f"/units/{world.unit_a.id}/activities?month=nonsense"):
        html = pages.html(url)
        assert f'data-month="{today:%Y-%m}"' in html
        assert re.search(r'cal-today[^"]*"\s+data-testid="calendar-day" data-date="%s"'
                         % today.isoformat(), html)


def test_the_list_filters_by_kind_and_status_and_pages(world, pages):
    make_activity(world.unit_a)
    make_activity(world.unit_a, title="国家安全教育", kind="training",
                  topic="national_security", scenario=None, format=None)
    cancelled = make_activity(world.unit_a, title="取消的演练")
    service.cancel(coordinator_of(world.unit_a), cancelled, "天气", None)
    db.session.commit()
    pages.login(world.coordinator_a)
    url = f"/units/{world.unit_a.id}/activities"
    html = pages.html(url + "?kind=training")
    assert html.count('data-testid="activity-row"') == 1 and "国家安全教育" in html
    html = pages.html(url + "?status=cancelled")
    assert html.count('data-testid="activity-row"') == 1 and "取消的演练" in html
    assert 'class="row-cancelled"' in html
    assert pages.html(url + "?kind=nonsense").count('data-testid="activity-row"') == 3
    for i in range(50):
        make_activity(world.unit_a, title=f"演练{i}")
    html = pages.html(url)
    assert html.count('data-testid="activity-row"') == 50 and 'data-testid="pagination"' in html
    assert pages.html(url + "?page=2").count('data-testid="activity-row"') == 3


def test_an_empty_calendar_says_what_to_do(world, pages):
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/activities")
    assert 'data-testid="empty-state"' in html and "Schedule a drill" in html
    relogin(pages, world.staff_a)
    html = pages.html(f"/units/{world.unit_a.id}/activities")
    assert "The safety coordinator of the unit schedules drills and trainings." in html


# Unannounced drills and staff

def test_staff_see_an_unannounced_drill_as_a_busy_block(world, pages):
    activity = make_activity(world.unit_a, title="突击反恐演练", unannounced=True,
                             key_part_id=world.key_part_a.id,
                             participant_ids=[world.person_a.id])
    pages.login(world.staff_a)
    html = pages.html(f"/units/{world.unit_a.id}/activities?month=2031-03")
    assert "突击反恐演练" not in html and "Busy (unannounced)" in html
    assert 'data-masked="true"' in html and "cal-masked" in html
    html = pages.html(f"/activities/{activity.id}")
    assert 'data-testid="masked-note"' in html and "Busy (unannounced)" in html
    for secret in ("突击反恐演练", "操场", "全校师生疏散至操场", "东门", "Terrorist attack",
                   "李卫国"):
        assert secret not in html, secret
    # the time is shown, in the reader's language, with its ISO value kept
    assert ('<time datetime="2031-03-03T09:00+08:00">Mar 3, 2031 09:00</time>–'
            '<time datetime="2031-03-03T10:30+08:00">10:30</time>') in html
    relogin(pages, world.coordinator_a)
    html = pages.html(f"/activities/{activity.id}")
    assert "突击反恐演练" in html and 'data-testid="unannounced-badge"' in html
    # once the outcome is recorded, staff see it whole
    outcomes.record(coordinator_of(world.unit_a), activity, {
        "held_from": activity.starts_at, "held_to": activity.ends_at})
    db.session.commit()
    relogin(pages, world.staff_a)
    html = pages.html(f"/activities/{activity.id}")
    assert "突击反恐演练" in html and 'data-testid="masked-note"' not in html


# The activity form and its recurrence picker

def test_a_weekly_series_from_the_picker(world, pages):
    pages.login(world.coordinator_a)
    url = f"/units/{world.unit_a.id}/activities/new"
    html = pages.html(url + "?date=2031-03-03")
    assert 'value="2031-03-03"' in html
    assert re.search(r'name="weekly_days" value="MO" id="f-weekly_days-MO" autocomplete="off"'
                     r' checked', html)
    response = pages.post(url, data=activity_form(
        repeat="weekly", weekly_days=["MO", "WE"], weekly_interval="1", repeat_end="count",
        repeat_count="10", participant_ids=[str(world.person_a.id)],
        key_part_id=str(world.key_part_a.id)))
    assert response.status_code == 302
    activity = only_activity()
    assert response.headers["Location"] == f"/activities/{activity.id}"
    assert activity.rrule == "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10"
    assert activity.starts_at == at(date(2031, 3, 3))
    assert activity.ends_at == at(date(2031, 3, 3), 10, 30)
    assert activity.participant_ids == [world.person_a.id]
    assert activity.key_part_id == world.key_part_a.id
    html = pages.html(f"/activities/{activity.id}")
    assert "Every week on Monday, Wednesday, 10 times in all" in html
    assert html.count('data-testid="occurrence-row"') == 10


@pytest.mark.parametrize("fields, rule", [
    ({"repeat": "monthly_weekday", "month_week": "1", "month_weekday": "MO",
      "monthly_interval": "1", "repeat_end": "until", "repeat_until": "2031-06-30"},
     "FREQ=MONTHLY;BYDAY=1MO;UNTIL=20310630T155959Z"),
    ({"repeat": "monthly_weekday", "month_week": "-1", "month_weekday": "MO",
      "monthly_interval": "3", "repeat_end": "never", "date": "2031-03-31"},
     "FREQ=MONTHLY;INTERVAL=3;BYDAY=-1MO"),
    ({"repeat": "monthly_date", "month_day": "3", "monthly_interval": "1",
      "repeat_end": "count", "repeat_count": "6"}, "FREQ=MONTHLY;BYMONTHDAY=3;COUNT=6"),
    ({"repeat": "weekly", "weekly_days": "MO", "weekly_interval": "2", "repeat_end": "never"},
     "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"),
    ({"repeat": "custom", "rrule_text": "RRULE:FREQ=YEARLY;COUNT=3"}, "FREQ=YEARLY;COUNT=3"),
    ({"repeat": "none", "weekly_days": "MO", "repeat_end": "count", "repeat_count": "4"}, None),
])
def test_the_picker_makes_the_rule(world, pages, fields, rule):
    pages.login(world.coordinator_a)
    response = pages.post(f"/units/{world.unit_a.id}/activities/new",
                          data=activity_form(**fields))
    assert response.status_code == 302, error_of(response.get_data(as_text=True), "rrule")
    assert only_activity().rrule == rule


def test_the_until_day_is_included(world, pages):
    pages.login(world.coordinator_a)
    pages.post(f"/units/{world.unit_a.id}/activities/new", data=activity_form(
        repeat="weekly", weekly_days="MO", repeat_end="until", repeat_until="2031-03-17"))
    activity = only_activity()
    slots = service.slots(activity, at(date(2031, 3, 1)), at(date(2031, 4, 30)))
    assert [s.starts_at for s in slots] == [at(date(2031, 3, d)) for d in (3, 10, 17)]


def test_a_training_drops_the_drill_fields(world, pages):
    plan = make_plan(world.unit_a)
    pages.login(world.coordinator_a)
    response = pages.post(f"/units/{world.unit_a.id}/activities/new", data=activity_form(
        kind="training", title="保卫人员技能培训", topic="skills", plan_id=str(plan.id),
        unannounced="on"))
    assert response.status_code == 302
    activity = only_activity()
    assert (activity.kind, activity.topic, activity.scenario, activity.format,
            activity.plan_id, activity.unannounced) == ("training", "skills", None, None,
                                                         None, False)


def test_the_form_shows_errors_next_to_the_fields_and_keeps_the_input(world, pages):
    pages.login(world.coordinator_a)
    url = f"/units/{world.unit_a.id}/activities/new"
    response = pages.post(url, data=activity_form(
        title="", scenario="", date="", end_time="25:00", repeat="weekly", weekly_days=[],
        weekly_interval="0", repeat_end="until", repeat_until="soon", location="东门广场"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for field in ("title", "date", "end_time", "weekly_days", "weekly_interval",
                  "repeat_until"):
        assert error_of(html, field), field
    assert 'value="东门广场"' in html and 'data-testid="form-errors"' in html
    # what the service says lands next to its field too
    response = pages.post(url, data=activity_form(scenario="", end_time="08:00"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_of(html, "scenario") == "A drill names the scenario it rehearses."
    response = pages.post(url, data=activity_form(end_time="08:00"))
    assert error_of(response.get_data(as_text=True), "end_time") == \
        "The end must come after the start."
    response = pages.post(url, data=activity_form(repeat="custom", rrule_text="FREQ=HOURLY"))
    assert response.status_code == 422
    assert "FREQ must be" in error_of(response.get_data(as_text=True), "rrule")
    response = pages.post(url, data=activity_form(
        participant_ids=[str(world.person_b.id)], key_part_id=str(world.key_part_b.id)))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_of(html, "key_part_id") or error_of(html, "participant_ids")
    other = make_plan(world.unit_a, scenario="accident")
    response = pages.post(url, data=activity_form(plan_id=str(other.id)))
    assert error_of(response.get_data(as_text=True), "plan_id") == \
        "The plan is for another scenario."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 0


def test_a_series_starts_on_one_of_its_days(world, pages):
    pages.login(world.coordinator_a)
    response = pages.post(f"/units/{world.unit_a.id}/activities/new", data=activity_form(
        date="2031-03-04", repeat="monthly_weekday", month_week="1", month_weekday="MO",
        repeat_end="count", repeat_count="6"))
    assert response.status_code == 422
    assert "Apr 7, 2031 09:00" in error_of(response.get_data(as_text=True), "date")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 0


def test_editing_shows_the_rule_in_the_picker_and_saves_changes(world, pages):
    activity = make_activity(world.unit_a, rrule="FREQ=MONTHLY;BYDAY=1MO;COUNT=6",
                             participant_ids=[world.person_a.id])
    pages.login(world.coordinator_a)
    html = pages.html(f"/activities/{activity.id}/edit")
    assert re.search(r'id="f-repeat-monthly_weekday" value="monthly_weekday" checked', html)
    assert re.search(r'id="f-repeat_count" name="repeat_count" value="6"', html)
    assert re.search(r'id="f-participant-%d" data-group="security_full_time" checked'
                     % world.person_a.id, html)
    etag = ETAG.search(html).group(1)
    response = pages.post(f"/activities/{activity.id}/edit", data=activity_form(
        etag=htmllib.unescape(etag), title="改名的演练", repeat="monthly_weekday",
        month_week="1", month_weekday="MO", monthly_interval="1", repeat_end="count",
        repeat_count="12"))
    assert response.status_code == 302
    activity = only_activity()
    assert activity.title == "改名的演练"
    assert activity.rrule == "FREQ=MONTHLY;BYDAY=1MO;COUNT=12"
    assert activity.participant_ids == []
    assert activity.sequence == 1


def test_an_edit_of_the_title_keeps_the_rule_text_and_the_moves(world, pages):
    activity = make_activity(world.unit_a, rrule="FREQ=WEEKLY;UNTIL=20310331")
    service.move(coordinator_of(world.unit_a), activity, at(date(2031, 3, 10)),
                 at(date(2031, 3, 11)), at(date(2031, 3, 11), 10))
    db.session.commit()
    pages.login(world.coordinator_a)
    html = pages.html(f"/activities/{activity.id}/edit")
    assert re.search(r'id="f-repeat-weekly" value="weekly" checked', html)
    form = activity_form(etag=htmllib.unescape(ETAG.search(html).group(1)), title="新标题",
                         repeat="weekly", weekly_days="MO", weekly_interval="1",
                         repeat_end="until", repeat_until="2031-03-31")
    assert pages.post(f"/activities/{activity.id}/edit", data=form).status_code == 302
    activity = only_activity()
    assert activity.title == "新标题" and activity.rrule == "FREQ=WEEKLY;UNTIL=20310331"
    assert [e.starts_at for e in activity.exceptions] == [at(date(2031, 3, 11))]


def test_a_stale_edit_is_refused_and_keeps_the_input(world, pages):
    activity = make_activity(world.unit_a)
    pages.login(world.coordinator_a)
    html = pages.html(f"/activities/{activity.id}/edit")
    etag = htmllib.unescape(ETAG.search(html).group(1))
    service.update_activity(coordinator_of(world.unit_a), activity, {"location": "礼堂"})
    db.session.commit()
    response = pages.post(f"/activities/{activity.id}/edit",
                          data=activity_form(etag=etag, title="我的新标题"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert 'value="我的新标题"' in html and "Someone else changed this activity" in html
    assert ETAG.search(html).group(1) != etag
    assert only_activity().title == "防暴恐应急疏散演练"


def test_a_cancelled_activity_cannot_be_edited(world, pages):
    activity = make_activity(world.unit_a)
    service.cancel(coordinator_of(world.unit_a), activity, "天气", None)
    db.session.commit()
    pages.login(world.coordinator_a)
    response = pages.get(f"/activities/{activity.id}/edit")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/activities/{activity.id}"


# One activity: moving and cancelling occurrences, cancelling the whole

def test_moving_an_occurrence(world, pages):
    activity = make_activity(world.unit_a, rrule="FREQ=WEEKLY;COUNT=4")
    pages.login(world.coordinator_a)
    html = pages.html(f"/activities/{activity.id}")
    assert html.count('data-testid="move-form"') == 4
    occurrence = "2031-03-10T09:00:00+08:00"
    response = pages.post(f"/activities/{activity.id}/move", data={
        "occurrence": occurrence, "date": "2031-03-12", "start_time": "14:00",
        "end_time": "15:00"})
    assert response.status_code == 302
    activity = only_activity()
    assert activity.sequence == 1
    slots = service.slots(activity, at(date(2031, 3, 1)), at(date(2031, 4, 30)))
    assert [s.starts_at for s in slots if s.moved] == [at(date(2031, 3, 12), 14)]
    html = pages.html(f"/activities/{activity.id}")
    assert 'data-moved="true"' in html
    assert 'moved from <time datetime="2031-03-10T09:00">Mar 10, 2031 09:00</time>' in html
    assert '<time datetime="2031-03-12T14:00+08:00">Mar 12, 2031 14:00</time>–' in html


def test_moving_shows_errors_in_the_occurrences_form(world, pages):
    activity = make_activity(world.unit_a, rrule="FREQ=WEEKLY;COUNT=4")
    pages.login(world.coordinator_a)
    response = pages.post(f"/activities/{activity.id}/move", data={
        "occurrence": "2031-03-10T09:00:00+08:00", "date": "2031-03-12",
        "start_time": "14:00", "end_time": "13:00"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_of(html, "end_time") == "The end must come after the start."
    assert re.search(r'data-testid="move-box" open', html)
    assert 'value="13:00"' in html
    response = pages.post(f"/activities/{activity.id}/move", data={
        "occurrence": "2031-03-11T09:00:00+08:00", "date": "2031-03-12",
        "start_time": "14:00", "end_time": "15:00"})
    assert response.status_code == 422
    assert "No occurrence of the series starts at" in response.get_data(as_text=True)
    assert only_activity().sequence == 0


def test_cancelling_one_occurrence_and_then_the_whole(world, pages):
    activity = make_activity(world.unit_a, rrule="FREQ=WEEKLY;COUNT=4")
    pages.login(world.coordinator_a)
    response = pages.post(f"/activities/{activity.id}/cancel", data={
        "occurrence": "2031-03-17T09:00:00+08:00", "reason": ""})
    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), "reason")
    response = pages.post(f"/activities/{activity.id}/cancel", data={
        "occurrence": "2031-03-17T09:00:00+08:00", "reason": "考试周"})
    assert response.status_code == 302
    activity = only_activity()
    assert activity.status == "scheduled"
    assert [(e.original_start, e.status) for e in activity.exceptions] == \
        [(at(date(2031, 3, 17)), "cancelled")]
    html = pages.html(f"/activities/{activity.id}")
    assert html.count('data-status="cancelled"') >= 1 and "Reason: 考试周" in html
    assert 'data-testid="cancel-form"' in html and "data-confirm=" in html
    response = pages.post(f"/activities/{activity.id}/cancel", data={"reason": "改期"})
    assert response.status_code == 302
    activity = only_activity()
    assert activity.status == "cancelled" and activity.cancel_reason == "改期"
    html = pages.html(f"/activities/{activity.id}")
    assert 'data-testid="cancelled-banner"' in html and 'data-testid="cancel-form"' not in html
    assert 'data-testid="edit-activity"' not in html
    response = pages.post(f"/activities/{activity.id}/cancel", data={"reason": "再次"})
    assert response.status_code == 409


# The outcome form

def past_series(unit, **fields):
    """A weekly series whose first two occurrences are behind us."""
    start = at(today_in(unit) - timedelta(days=14))
    return make_activity(unit, start=start, rrule="FREQ=WEEKLY;COUNT=4", **fields)


def outcome_form(**fields):
    return {"held_from": "", "held_to": "", "participants_count": "", "times-0-name":
            "alarm_to_police", "times-0-seconds": "", "times-1-name": "lockdown",
            "times-1-seconds": "", "times-2-name": "evacuation", "times-2-seconds": "",
            "times-3-name": "", "times-3-seconds": "", "objectives-0-text": "",
            "objectives-0-result": "", "findings-0-description": "",
            "findings-0-severity": "medium", "findings-0-owner": "",
            "findings-0-due_date": "", "noteworthy": "", "summary": "", "evaluator": "",
            **fields}


def test_recording_an_outcome_makes_hazards_of_findings_and_failed_equipment(world, pages):
    unit = world.unit_a
    item = make_item(unit, name="防爆毯")
    plan = make_plan(unit, approve=True, equipment_ids=[item.id])
    activity = past_series(unit, plan_id=plan.id, participant_ids=[world.person_a.id])
    first = activity.starts_at.astimezone(SHANGHAI)
    iso = first.isoformat()
    pages.login(world.coordinator_a)
    url = f"/activities/{activity.id}/outcomes/new"
    html = pages.html(f"{url}?occurrence={iso.replace('+', '%2B')}")
    assert re.search(r'<option value="%s" selected>' % re.escape(iso), html)
    assert f'value="{first:%Y-%m-%dT%H:%M}"' in html
    assert re.search(r'id="f-attendee-%d" checked' % world.person_a.id, html)
    assert 'data-testid="equipment-check"' in html and "防爆毯" in html
    assert "From the alarm to the call to the police (110)" in html
    due = today_in(unit) + timedelta(days=10)
    response = pages.post(url, data=outcome_form(
        occurrence=iso, held_from=f"{first:%Y-%m-%dT%H:%M}",
        held_to=f"{first + timedelta(minutes=80):%Y-%m-%dT%H:%M}",
        attendee_ids=[str(world.person_a.id)], participants_count="320",
        **{"objectives-0-text": "3分钟内完成校门封控", "objectives-0-result": "partially_met",
           "times-0-seconds": "95", "times-3-name": "head_count", "times-3-seconds": "600",
           f"eq-{item.id}-worked": "no", f"eq-{item.id}-note": "拉链卡住",
           "findings-0-description": "东门电动门关闭迟缓", "findings-0-severity": "high",
           "findings-0-owner": "王五", "findings-0-due_date": due.isoformat(),
           "findings-0-plan_review": "on", "findings-1-description": "广播音量不足",
           "findings-1-severity": "low", "summary": "整体有序", "evaluator": "李卫国"}))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    outcome = db.session.scalars(sa.select(Outcome)).one()
    assert outcome.occurrence == activity.starts_at
    assert outcome.participants_count == 320 and outcome.attendee_ids == [world.person_a.id]
    assert outcome.objectives == [{"text": "3分钟内完成校门封控", "result": "partially_met"}]
    assert outcome.response_times == {"alarm_to_police": 95, "head_count": 600}
    assert len(outcome.findings) == 2 and len(outcome.hazard_ids) == 2
    assert outcome.equipment_checks == [{"equipment_id": item.id, "worked": False,
                                         "note": "拉链卡住",
                                         "hazard_id": outcome.hazard_ids[1]}]
    hazards = db.session.scalars(sa.select(Hazard).order_by(Hazard.id)).all()
    assert [(h.description, h.source, h.owner, h.due_date) for h in hazards][0] == \
        ("东门电动门关闭迟缓", "drill", "王五", due)
    assert "防爆毯" in hazards[1].description
    assert db.session.get(Plan, plan.id).review_requested
    html = pages.html(f"/activities/{activity.id}")
    assert html.count('data-testid="outcome-item"') == 1
    for hazard in hazards:
        assert f'href="/hazards/{hazard.id}"' in html
    assert re.search(r'data-occurrence="%s" data-status="completed"' % re.escape(iso), html)
    # the next occurrence is offered now, the recorded one no longer
    html = pages.html(url)
    assert f'<option value="{iso}"' not in html
    # the after-action report
    html = pages.html(f"/activities/{activity.id}/outcomes/{outcome.id}/print")
    assert "After-action report" in html and 'id="nav"' not in html
    for text in ("3分钟内完成校门封控", "Partially met", "东门电动门关闭迟缓", "广播音量不足",
                 "拉链卡住", "head_count", "600", "李卫国", "Evaluator (signature)",
                 f"No. {hazards[0].id}", "320 participants"):
        assert text in html, text
    relogin(pages, world.police_a)
    assert "东门电动门关闭迟缓" in pages.html(
        f"/activities/{activity.id}/outcomes/{outcome.id}/print")


def test_the_outcome_form_shows_errors_next_to_the_fields(world, pages):
    unit = world.unit_a
    activity = past_series(unit)
    first = activity.starts_at.astimezone(SHANGHAI)
    pages.login(world.coordinator_a)
    url = f"/activities/{activity.id}/outcomes/new"
    response = pages.post(url, data=outcome_form(
        occurrence=first.isoformat(), held_from=f"{first:%Y-%m-%dT%H:%M}",
        held_to=f"{first - timedelta(hours=1):%Y-%m-%dT%H:%M}",
        participants_count="many",
        **{"objectives-0-text": "封控", "times-0-seconds": "abc", "times-1-seconds": "-5",
           "times-3-name": "",
           "times-3-seconds": "30", "findings-0-owner": "王五",
           "findings-0-due_date": "later", "summary": "保留的总结"}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for field in ("participants_count", "objectives-0-result", "times-0-seconds",
                  "times-3-name", "findings-0-description", "findings-0-due_date"):
        assert error_of(html, field), field
    assert error_of(html, "times-1-seconds") == "Enter a number from 0 to 10000000."
    assert "保留的总结" in html and 'value="王五"' in html and 'value="abc"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Outcome)) == 0
    response = pages.post(url, data=outcome_form(
        occurrence=first.isoformat(), held_from=f"{first:%Y-%m-%dT%H:%M}",
        held_to=f"{first - timedelta(hours=1):%Y-%m-%dT%H:%M}"))
    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), "held_to") == \
        "The end must not come before the start."


def test_an_outcome_twice_or_for_a_cancelled_activity_is_refused(world, pages):
    unit = world.unit_a
    start = at(today_in(unit) - timedelta(days=2))
    activity = make_activity(unit, start=start)
    pages.login(world.coordinator_a)
    url = f"/activities/{activity.id}/outcomes/new"
    html = pages.html(url)
    assert 'name="occurrence"' not in html
    form = outcome_form(held_from=f"{start:%Y-%m-%dT%H:%M}",
                        held_to=f"{start + timedelta(hours=1):%Y-%m-%dT%H:%M}")
    assert pages.post(url, data=form).status_code == 302
    assert only_activity().status == "completed"
    response = pages.get(url)
    assert response.status_code == 302
    assert pages.post(url, data=form).status_code == 302  # told, and sent back
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Outcome)) == 1
    other = make_activity(unit, start=start)
    service.cancel(coordinator_of(unit), other, "天气", None)
    db.session.commit()
    assert pages.get(f"/activities/{other.id}/outcomes/new").status_code == 302


def test_staff_may_not_read_the_report_of_a_masked_drill(world, pages):
    activity = past_series(world.unit_a, unannounced=True)
    outcome = outcomes.record(coordinator_of(world.unit_a), activity, {
        "occurrence": activity.starts_at, "held_from": activity.starts_at,
        "held_to": activity.ends_at, "summary": "秘密总结"})
    db.session.commit()
    pages.login(world.staff_a)
    pages.html(f"/activities/{activity.id}/outcomes/{outcome.id}/print", status=404)
    html = pages.html(f"/activities/{activity.id}")
    assert "秘密总结" not in html and 'data-testid="outcomes"' not in html
    relogin(pages, world.coordinator_a)
    pages.html(f"/activities/{activity.id}/outcomes/{outcome.id}/print")
    pages.html(f"/activities/{activity.id + 1}/outcomes/{outcome.id}/print", status=404)


# Calendar subscriptions

def _links(html: str) -> tuple[str, str]:
    webcal = re.search(r'href="(webcal://[^"]+)" data-testid="webcal-link"', html).group(1)
    url = re.search(r'value="(http://[^"]+)" data-testid="feed-url"', html).group(1)
    return htmllib.unescape(webcal), htmllib.unescape(url)


def test_the_subscription_page_shows_both_links_and_a_qr_code(world, pages, client):
    make_activity(world.unit_a, participant_ids=[world.person_a.id])
    pages.login(world.staff_a)
    html = pages.html("/me/calendar")
    webcal, url = _links(html)
    assert url.startswith("http://anbao.test/calendar/") and url.endswith(".ics")
    assert webcal == "webcal://" + url.removeprefix("http://")
    qr = html[html.index('data-testid="feed-qr"'):]
    assert qr.index("<svg") < qr.index("</svg>") and "<path" in qr
    for app in ("Outlook", "Google Calendar", "Apple Calendar", "Thunderbird"):
        assert app in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarFeed)) == 1
    assert _links(pages.html("/me/calendar")) == (webcal, url)  # the same link every time
    feed = client.get(url.removeprefix("http://anbao.test"))
    assert feed.status_code == 200 and "防暴恐应急疏散演练" in feed.get_data(as_text=True)


def test_a_new_link_replaces_the_old_one(world, pages, client):
    make_activity(world.unit_a)
    pages.login(world.staff_a)
    _webcal, old = _links(pages.html("/me/calendar"))
    html = pages.html("/me/calendar")
    assert 'data-testid="rotate-form"' in html and "data-confirm=" in html
    response = pages.post("/me/calendar/rotate")
    assert response.status_code == 302 and response.headers["Location"] == "/me/calendar"
    _webcal, new = _links(pages.html("/me/calendar"))
    assert new != old
    assert client.get(old.removeprefix("http://anbao.test")).status_code == 404
    assert client.get(new.removeprefix("http://anbao.test")).status_code == 200
    assert pages.client.post("/me/calendar/rotate").status_code == 400  # no CSRF token


def test_the_coordinator_has_the_unit_feed_too(world, pages):
    make_activity(world.unit_a)
    pages.login(world.coordinator_a)
    html = pages.html("/me/calendar")
    assert f'href="/units/{world.unit_a.id}/calendar"' in html
    _webcal, mine = _links(html)
    _webcal, unit_url = _links(pages.html(f"/units/{world.unit_a.id}/calendar"))
    assert unit_url != mine
    response = pages.post(f"/units/{world.unit_a.id}/calendar/rotate")
    assert response.status_code == 302
    assert _links(pages.html(f"/units/{world.unit_a.id}/calendar"))[1] != unit_url
    assert _links(pages.html("/me/calendar"))[1] == mine


def test_my_day_lists_what_the_staff_member_takes_part_in_next(world, pages):
    """The staff home: their next drills and trainings (unannounced ones masked), their
    calendar link and the unit's approved plans; another unit's activities never."""
    from zoneinfo import ZoneInfo

    from anbao.system import stand_in
    from drills import service as drills_service
    unit = world.unit_a
    start = datetime.combine(today_in(unit) + timedelta(days=3), time(9),
                             ZoneInfo(unit.timezone))
    me = stand_in("coordinator", unit=unit)
    for title, people, extra in (("我参加的演练", [world.person_a.id], {}),
                                 ("别人的演练", [], {}),
                                 ("突击演练", [world.person_a.id], {"unannounced": True})):
        drills_service.create_activity(me, unit, {
            "kind": "drill", "title": title, "scenario": "accident", "format": "tabletop",
            "starts_at": start, "ends_at": start + timedelta(hours=1),
            "participant_ids": people, **extra})
    db.session.commit()
    pages.login(world.staff_a)
    html = pages.html("/me")
    assert "我参加的演练" in html and "别人的演练" not in html and "突击演练" not in html
    assert "/calendar/" in html and 'data-testid="copy-url"' in html
    pages.post("/logout")
    pages.login(world.coordinator_b)
    assert "我参加的演练" not in pages.html("/me")
