"""The drill pages follow the common UI (issue 8): confirmation before what cannot be undone,
a label for every field, captions on tables, dates in the reader's language, an agenda
instead of the month grid on a phone, no Chinese glosses in the English chrome."""
import re
from datetime import date, timedelta

import sqlalchemy as sa

from anbao.extensions import db
from drills import outcomes, service
from tests.anbao.test_views import pages  # noqa: F401  (fixture)
from tests.drills.test_views import at, make_activity, past_series, relogin
from tests.accessibility import uncaptioned, unlabelled
from tests.plans.test_ui import CJK
from tests.plans.test_views import coordinator_of, make_plan
from plans.models import Plan
from units.models import KeyPart, Person
from units.service import today_in


def form_tag(html: str, testid: str) -> str:
    return re.search(r'<form[^>]*data-testid="%s"[^>]*>' % testid, html, re.S).group(0)


def test_recording_an_outcome_and_cancelling_ask_first(world, pages):
    activity = make_activity(world.unit_a, rrule="FREQ=WEEKLY;COUNT=4")
    pages.login(world.coordinator_a)
    html = pages.html(f"/activities/{activity.id}/outcomes/new")
    assert "data-confirm=" in form_tag(html, "outcome-form")
    assert "cannot be changed or removed" in form_tag(html, "outcome-form")
    html = pages.html(f"/activities/{activity.id}")
    whole = form_tag(html, "cancel-form")
    assert "data-confirm=" in whole and "cannot be undone" in whole
    # each occurrence's cancel names its day in words (plain text in the attribute)
    tags = re.findall(r'<form[^>]*data-testid="cancel-occurrence-form"[^>]*>', html, re.S)
    assert len(tags) == 4
    assert 'data-confirm="Cancel the occurrence of Mar 10, 2031 09:00?' in "".join(tags)
    assert "<time" not in "".join(tags)
    html = pages.html("/me/calendar")
    assert "data-confirm=" in form_tag(html, "rotate-form")


def test_every_field_has_a_label_and_every_table_a_caption(world, pages):
    plan = make_plan(world.unit_a, approve=True)
    activity = past_series(world.unit_a, plan_id=plan.id, participant_ids=[world.person_a.id])
    outcome = outcomes.record(coordinator_of(world.unit_a), activity, {
        "occurrence": activity.starts_at, "held_from": activity.starts_at,
        "held_to": activity.ends_at,
        "objectives": [{"text": "封控", "result": "met"}],
        "findings": [{"description": "门慢", "severity": "low"}]})
    db.session.commit()
    unit = world.unit_a.id
    pages.login(world.coordinator_a)
    for url in (f"/units/{unit}/activities", f"/units/{unit}/activities/new",
                f"/units/{unit}/activities/new?kind=training", f"/activities/{activity.id}",
                f"/activities/{activity.id}/edit", f"/activities/{activity.id}/outcomes/new",
                f"/activities/{activity.id}/outcomes/{outcome.id}/print", "/me/calendar",
                f"/units/{unit}/calendar", "/me"):
        html = pages.html(url)
        assert unlabelled(html) == [], url
        assert uncaptioned(html) == 0, url


def test_the_repeat_end_fields_have_real_labels(world, pages):
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/activities/new")
    for field in ("repeat_count", "repeat_until"):
        assert f'<label class="visually-hidden" for="f-{field}">' in html, field


def test_times_are_in_the_readers_language(world, pages):
    series = make_activity(world.unit_a, rrule="FREQ=WEEKLY;COUNT=4")
    service.move(coordinator_of(world.unit_a), series, at(date(2031, 3, 10)),
                 at(date(2031, 3, 11), 14), at(date(2031, 3, 11), 15))
    db.session.commit()
    pages.login(world.coordinator_a)
    html = pages.html(f"/activities/{series.id}")
    assert ('data-testid="activity-when"><time datetime="2031-03-03T09:00+08:00">Mar 3, 2031 '
            '09:00</time>–<time datetime="2031-03-03T10:30+08:00">10:30</time>') in html
    assert 'moved from <time datetime="2031-03-10T09:00">Mar 10, 2031 09:00</time>' in html
    html = pages.html(f"/units/{world.unit_a.id}/activities?month=2031-03")
    assert 'title="Schedule on Mar 3, 2031"' in html
    soon = today_in(world.unit_a) + timedelta(days=3)
    make_activity(world.unit_a, start=at(soon))
    html = pages.html(f"/units/{world.unit_a.id}/activities")
    assert (f'data-testid="next-occurrence"><time datetime="{soon.isoformat()}T09:00+08:00">'
            f'{soon:%b} {soon.day}, {soon.year} 09:00</time>') in html
    relogin(pages, world.coordinator_a, language="zh_CN")
    html = pages.html(f"/activities/{series.id}")
    assert '<time datetime="2031-03-03T09:00+08:00">2031年3月3日 09:00</time>' in html


def test_a_move_and_a_cancel_flash_the_day_in_words(world, pages):
    series = make_activity(world.unit_a, rrule="FREQ=WEEKLY;COUNT=4")
    pages.login(world.coordinator_a)
    response = pages.post(f"/activities/{series.id}/move", data={
        "occurrence": "2031-03-10T09:00:00+08:00", "date": "2031-03-12", "start_time": "14:00",
        "end_time": "15:00"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "The occurrence of Mar 10, 2031 09:00 now takes place Mar 12, 2031 14:00–15:00." \
        in html
    response = pages.post(f"/activities/{series.id}/cancel", data={
        "occurrence": "2031-03-17T09:00:00+08:00", "reason": "考试周"}, follow_redirects=True)
    assert "The occurrence of Mar 17, 2031 09:00 is cancelled." in \
        response.get_data(as_text=True)


def test_the_report_and_my_day_show_dates_in_words(world, pages):
    activity = past_series(world.unit_a, participant_ids=[world.person_a.id])
    due = today_in(world.unit_a) + timedelta(days=5)
    outcome = outcomes.record(coordinator_of(world.unit_a), activity, {
        "occurrence": activity.starts_at, "held_from": activity.starts_at,
        "held_to": activity.ends_at,
        "findings": [{"description": "门慢", "severity": "low", "owner": "王五",
                      "due_date": due}]})
    db.session.commit()
    pages.login(world.coordinator_a)
    html = pages.html(f"/activities/{activity.id}/outcomes/{outcome.id}/print")
    assert f'<time datetime="{due.isoformat()}">{due:%b} {due.day}, {due.year}</time>' in html
    assert re.search(r'data-testid="report-held"><time datetime="[\d-]+T09:00\+08:00">', html)
    relogin(pages, world.staff_a)
    html = pages.html("/me")
    assert re.search(r'data-testid="my-next-when"><time datetime="[\d-]+T09:00\+08:00">'
                     r'\w{3} \d{1,2}, \d{4} 09:00</time>–<time', html)


def test_a_phone_gets_the_month_as_an_agenda(world, pages):
    make_activity(world.unit_a, rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=2")
    make_activity(world.unit_a, title="全员消防安全培训", kind="training", topic="awareness",
                  scenario=None, format=None, start=at(date(2031, 3, 12), 14))
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/activities?month=2031-03")
    # the grid is for wider screens, the agenda for phones: the same month, by day
    assert re.search(r'class="table-responsive d-none d-md-block[^"]*"', html)
    assert 'class="d-md-none cal-agenda" data-testid="calendar-agenda"' in html
    agenda = html[html.index('data-testid="calendar-agenda"'):html.index('data-testid="calendar-legend"')]
    days = re.findall(r'data-testid="agenda-day" data-date="([\d-]+)"', agenda)
    assert days == ["2031-03-03", "2031-03-10", "2031-03-12"]
    assert agenda.count('data-testid="agenda-entry"') == 3
    assert '<time datetime="2031-03-03">Mar 3, 2031</time>' in agenda
    assert "09:00–10:30" in agenda and "全员消防安全培训" in agenda and "Training" in agenda
    html = pages.html(f"/units/{world.unit_a.id}/activities?month=2031-05")
    assert 'data-testid="agenda-empty"' in html


def test_a_masked_drill_stays_masked_in_the_agenda(world, pages):
    make_activity(world.unit_a, title="突击反恐演练", unannounced=True)
    pages.login(world.staff_a)
    html = pages.html(f"/units/{world.unit_a.id}/activities?month=2031-03")
    agenda = html[html.index('data-testid="calendar-agenda"'):html.index('data-testid="calendar-legend"')]
    assert 'data-masked="true"' in agenda and "Busy (unannounced)" in agenda
    assert "突击反恐演练" not in html


def test_another_units_activities_are_not_in_the_agenda(world, pages):
    make_activity(world.unit_b, title="别校的演练")
    make_activity(world.other_unit_a, title="同区别校的演练")
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{world.unit_a.id}/activities?month=2031-03")
    assert "别校的演练" not in html and "同区别校的演练" not in html
    assert 'data-testid="agenda-entry"' not in html
    relogin(pages, world.police_a)
    html = pages.html(f"/units/{world.unit_a.id}/activities?month=2031-03")
    assert "同区别校的演练" not in html and 'data-testid="agenda-entry"' not in html


def test_no_chinese_glosses_in_the_english_forms(world, pages):
    activity = past_series(world.unit_a)
    pages.login(world.coordinator_a)
    pages.html(f"/units/{world.unit_a.id}/activities")  # the welcome of the log-in is shown
    for url in (f"/units/{world.unit_a.id}/activities/new",
                f"/activities/{activity.id}/outcomes/new"):
        html = pages.html(url)
        for gloss in ("突击演练", "演练记录", "操场", "行政楼", "防暴恐应急疏散演练"):
            # the activity's own title is user data: only the new-activity page is checked
            if gloss == "防暴恐应急疏散演练" and "outcomes" in url:
                continue
            assert gloss not in html, (url, gloss)
    html = pages.html(f"/units/{world.unit_a.id}/activities/new")
    chrome = html.replace(world.unit_a.name, "").replace("安保", "")
    chrome = chrome.replace('lang="zh-CN">中文<', "")
    for row in db.session.scalars(sa.select(Person)).all() + \
            db.session.scalars(sa.select(KeyPart)).all() + db.session.scalars(sa.select(Plan)).all():
        chrome = chrome.replace(getattr(row, "name", None) or row.title, "")
    assert not CJK.search(chrome), CJK.findall(chrome)[:20]


def test_the_rule_names_its_last_day_in_words(world, pages):
    activity = make_activity(world.unit_a, rrule="FREQ=WEEKLY;UNTIL=20310331T155959Z")
    pages.login(world.coordinator_a)
    html = pages.html(f"/activities/{activity.id}")
    assert "Every week on Monday, until Mar 31, 2031" in html
    relogin(pages, world.coordinator_a, language="zh_CN")
    assert "2031年3月31日" in pages.html(f"/activities/{activity.id}")
