"""Pages of reports (reports.views): a unit's owed periods, reports and inspections; one report
with its checklist form, submission, review, downloads and revisions; the comparison of two
revisions; the police's review queue; spot checks; the menu."""
import re
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import current_app

from anbao.audit.models import AuditEvent
from anbao.extensions import db
from hazards.models import Hazard
from reports import checklist, periods, service
from reports.models import Inspection, Report, ReportRead, SpotCheck
from tests.anbao.test_views import error_of, pages  # noqa: F401  (fixture)
from tests.conftest import count_queries
from units.service import today_in

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>")
FIELD = re.compile(r'<(?:input|textarea|select)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"')


@contextmanager
def request_context():
    """Services that link to pages (notifications) need a request context."""
    with current_app.test_request_context():
        yield


def owing(unit, years: int = 2):
    """Make the unit a key unit since 1 January `years` years ago, so periods are owed."""
    unit.key_since = date(today_in(unit).year - years, 1, 1)
    db.session.commit()
    return periods.owed(unit, today_in(unit))


def all_answers(answer="yes") -> dict:
    return {item_id: {"answer": answer, "note": ""} for item_id in checklist.IDS}


def make_report(unit, coordinator, start=None, *, answered=False, submitted=False,
                narrative="本期安保工作正常。"):
    spans = periods.owed(unit, today_in(unit)) or owing(unit)
    start, end = next((s, e) for s, e in spans if start is None or s == start)
    with request_context():
        report = service.create_report(coordinator, unit, start, end)
        if answered or submitted:
            service.update_report(coordinator, report, {"narrative": narrative,
                                                        "checklist": all_answers()})
        if submitted:
            service.submit(coordinator, report)
    db.session.commit()
    return report


def review(report, police, decision, comment=""):
    with request_context():
        service.review(police, report, decision, comment)
    db.session.commit()


def relogin(pages, user, language="en"):
    if pages.token:
        pages.post("/logout")
    pages.login(user, language=language)


def form_of(**answers) -> dict:
    """The checklist form: `C01="yes"`, or `C01=("no", "note")`."""
    data = {}
    for item_id, value in answers.items():
        answer, note = value if isinstance(value, tuple) else (value, "")
        if answer:
            data[f"checklist-{item_id}-answer"] = answer
        data[f"checklist-{item_id}-note"] = note
    return data


def version_of(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def count(selector: str, html: str) -> int:
    return html.count(f'data-testid="{selector}"')


def reload(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


# A unit's reports page

def test_the_coordinator_sees_the_owed_periods_with_due_dates_and_start_buttons(world, pages):
    unit = world.unit_a
    spans = owing(unit)
    report = make_report(unit, world.coordinator_a, spans[0][0], submitted=True)
    pages.login(world.coordinator_a)
    html = pages.html(f"/units/{unit.id}/reports")
    assert count("owed-period", html) == len(spans)
    today = today_in(unit)
    late = [s for s, e in spans[1:] if periods.due(e) < today]
    assert count("overdue-marker", html) == len(late) and 'data-testid="overdue-banner"' in html
    assert count("start-report", html) == len(spans) - 1
    assert "Not started" in html and "H1" in html
    assert re.search(r'data-period-start="%s"\s+data-overdue="false"' % spans[0][0].isoformat(),
                     html)
    assert f'href="/reports/{report.id}"' in html and count("report-row", html) == 1
    assert 'data-status="submitted"' in html
    assert 'data-testid="record-inspection"' not in html
    assert 'data-testid="other-period-form"' in html


def test_a_period_start_preselects_the_period_and_an_earlier_one_can_be_shown(world, pages):
    unit = world.unit_a
    spans = owing(unit)
    pages.login(world.coordinator_a)
    start = spans[1][0]
    html = pages.html(f"/units/{unit.id}/reports?period_start={start.isoformat()}")
    assert re.search(r'id="period-%s"[^>]*class="[^"]*report-row-chosen"[^>]*aria-current="true"'
                     % start.isoformat(), html, re.S)
    earlier = date(start.year - 3, 2, 10)
    html = pages.html(f"/units/{unit.id}/reports?period_start={earlier.isoformat()}")
    assert count("owed-period", html) == len(spans) + 1
    assert f'id="period-{earlier.year}-01-01"' in html
    assert "before the unit became a key unit" in html
    html = pages.html(f"/units/{unit.id}/reports?period_start=nonsense")
    assert count("owed-period", html) == len(spans) and "report-row-chosen" not in html


def test_starting_a_report_creates_the_draft_and_opens_it(world, pages):
    unit = world.unit_a
    spans = owing(unit)
    pages.login(world.coordinator_a)
    start, end = spans[1]
    response = pages.post(f"/units/{unit.id}/reports",
                          data={"period_start": start.isoformat(), "period_end": end.isoformat()})
    assert response.status_code == 302
    report = db.session.scalars(sa.select(Report)).one()
    assert response.headers["Location"] == f"/reports/{report.id}"
    assert report.status == "draft" and report.period_start == start
    html = pages.html(f"/reports/{report.id}")
    assert "was started from the unit’s records" in html
    assert 'data-testid="answers-form"' in html and count("checklist-item", html) == 18
    # again: the period has a report already
    response = pages.post(f"/units/{unit.id}/reports", follow_redirects=True,
                          data={"period_start": start.isoformat(), "period_end": end.isoformat()})
    assert "A report for this period exists already." in response.get_data(as_text=True)
    # not a period of this unit
    response = pages.post(f"/units/{unit.id}/reports", follow_redirects=True,
                          data={"period_start": start.isoformat(),
                                "period_end": (start + timedelta(days=30)).isoformat()})
    assert "calendar half year" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 1


def test_a_unit_that_is_not_a_key_unit_owes_nothing(world, pages):
    pages.login(world.police_a)
    html = pages.html(f"/units/{world.other_unit_a.id}/reports")
    assert 'data-testid="no-report-owed"' in html and "owes no self-inspection report" in html


def test_who_sees_which_report_pages(world, pages):
    draft = make_report(world.unit_a, world.coordinator_a)
    spans = periods.owed(world.unit_a, today_in(world.unit_a))
    submitted = make_report(world.unit_a, world.coordinator_a, spans[1][0], submitted=True)
    other = make_report(world.unit_b, world.coordinator_b, submitted=True)
    a, b = world.unit_a.id, world.unit_b.id
    expect = {
        world.coordinator_a: {f"/units/{a}/reports": 200, f"/units/{b}/reports": 404,
                              f"/reports/{draft.id}": 200, f"/reports/{submitted.id}": 200,
                              f"/reports/{other.id}": 404, f"/reports/{submitted.id}/compare": 200,
                              f"/reports/{other.id}/compare": 404, "/spot-checks": 403,
                              f"/units/{a}/inspections/new": 403,
                              f"/reports/{other.id}/download.xlsx": 404},
        world.coordinator_b: {f"/reports/{draft.id}": 404, f"/reports/{submitted.id}": 404,
                              f"/units/{a}/reports": 404, f"/reports/{other.id}": 200},
        world.staff_a: {f"/units/{a}/reports": 403, f"/reports/{submitted.id}": 403,
                        f"/reports/{submitted.id}/compare": 403, "/spot-checks": 403,
                        f"/units/{a}/inspections/new": 403,
                        f"/reports/{submitted.id}/download.pdf": 403},
        world.police_a: {f"/units/{a}/reports": 200, f"/units/{b}/reports": 404,
                         f"/reports/{draft.id}": 404, f"/reports/{submitted.id}": 200,
                         f"/reports/{draft.id}/compare": 404, f"/reports/{other.id}": 404,
                         "/reports": 200, "/spot-checks": 200,
                         f"/units/{a}/inspections/new": 200, f"/units/{b}/inspections/new": 404},
        world.police_b: {f"/reports/{submitted.id}": 404, f"/reports/{other.id}": 200,
                         f"/units/{a}/reports": 404},
        world.supervisor_a: {f"/units/{a}/reports": 200, f"/reports/{submitted.id}": 200,
                             f"/reports/{draft.id}": 404,
                             f"/units/{world.other_unit_a.id}/reports": 404,
                             "/reports": 200, "/spot-checks": 403,
                             f"/units/{a}/inspections/new": 403},
        world.admin: {f"/units/{a}/reports": 200, f"/reports/{submitted.id}": 200,
                      f"/reports/{draft.id}": 200, f"/reports/{other.id}": 200, "/reports": 200,
                      "/spot-checks": 403,
                      f"/units/{a}/inspections/new": 403},
    }
    for user, urls in expect.items():
        relogin(pages, user)
        for url, status in urls.items():
            assert pages.get(url).status_code == status, (user.username, url)
    relogin(pages, world.staff_a)
    response = pages.get("/reports")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/units/{a}/reports")
    assert pages.get("/reports", follow_redirects=True).status_code == 403


def test_the_police_never_see_drafts(world, pages):
    draft = make_report(world.unit_a, world.coordinator_a)
    for user in (world.police_a, world.supervisor_a):
        relogin(pages, user)
        html = pages.html(f"/units/{world.unit_a.id}/reports")
        assert count("report-row", html) == 0 and f"/reports/{draft.id}" not in html
        assert 'data-testid="start-report"' not in html and "Not submitted" in html
        assert count("queue-row", pages.html("/reports")) == 0
    relogin(pages, world.admin)  # reads everything, drafts too, but not in the queue
    assert count("report-row", pages.html(f"/units/{world.unit_a.id}/reports")) == 1
    assert count("queue-row", pages.html("/reports")) == 0


def test_oversight_reads_without_forms_and_their_reading_is_recorded(world, pages):
    report = make_report(world.unit_a, world.coordinator_a, submitted=True)
    for user in (world.supervisor_a, world.admin, world.police_a):
        relogin(pages, user)
        html = pages.html(f"/reports/{report.id}")
        assert 'data-testid="report-document"' in html
        for form in ("answers-form", "submit-form", "refresh-form"):
            assert f'data-testid="{form}"' not in html
        assert ('data-testid="review-box"' in html) == (user is world.police_a)
        assert 'data-testid="download-pdf"' in html
    reads = db.session.scalars(sa.select(ReportRead.username).order_by(ReportRead.id)).all()
    assert reads == ["supervisor_a", "police_a"]  # the admin is not the oversight
    relogin(pages, world.coordinator_a)
    html = pages.html(f"/reports/{report.id}")
    assert count("revision-read", html) == 2 and 'data-username="police_a"' in html
    assert 'data-testid="awaiting-review"' in html and 'data-testid="answers-form"' not in html


# The coordinator's checklist, narrative and submission

def test_the_coordinator_saves_answers_with_errors_then_submits(world, pages):
    report = make_report(world.unit_a, world.coordinator_a)
    pages.login(world.coordinator_a)
    url = f"/reports/{report.id}"
    html = pages.html(url)
    version = version_of(html)
    assert 'data-testid="unanswered"' in html and "18 items are not answered yet" in html

    # a note without an answer cannot be kept: nothing is saved, the input stays
    response = pages.post(f"{url}/save", data={
        "version": version, "narrative": "门卫值守正常",
        **form_of(C01="yes", C02=("", "访客登记本缺页"), C03=("no", "东门巡查漏检"))})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choose yes, no or not applicable to keep this note." in error_of(html, "checklist-C02")
    assert error_of(html, "checklist-C01") == ""
    assert 'value="访客登记本缺页"' in html and "门卫值守正常" in html
    assert re.search(r'id="f-checklist-C03-no" value="no" autocomplete="off" checked', html)
    assert reload(Report, report.id).answers == {}

    # a valid partial save
    response = pages.post(f"{url}/save", data={
        "version": version, "narrative": "门卫值守正常",
        **form_of(C01="yes", C02=("na", ""), C03=("no", "东门巡查漏检"))})
    assert response.status_code == 302 and response.headers["Location"].endswith("#answers")
    saved = reload(Report, report.id)
    assert saved.narrative == "门卫值守正常"
    assert saved.answers["C03"] == {"answer": "no", "note": "东门巡查漏检"}
    html = pages.html(url)
    assert "Your answers and the narrative are saved." in html
    assert "15 items are not answered yet" in html

    # submitting with items unanswered shows them
    response = pages.post(f"{url}/submit")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Answer items C04, C05" in html
    assert "Answer yes, no or not applicable." in error_of(html, "checklist-C04")
    assert error_of(html, "checklist-C01") == ""
    assert html.count("checklist-item-invalid") == 15
    assert reload(Report, report.id).status == "draft"

    # a stale form is refused, the input kept
    response = pages.post(f"{url}/save", data={"version": version, **form_of(C04="yes")})
    assert response.status_code == 409
    assert "Someone else changed this report meanwhile" in response.get_data(as_text=True)

    answers = form_of(**{item_id: "yes" for item_id in checklist.IDS})
    response = pages.post(f"{url}/save", data={"version": version_of(pages.html(url)),
                                               "narrative": "门卫值守正常", **answers})
    assert response.status_code == 302
    assert 'data-testid="all-answered"' in pages.html(url)
    response = pages.post(f"{url}/submit")
    assert response.status_code == 302
    html = pages.html(url)
    submitted = reload(Report, report.id)
    assert submitted.status == "submitted" and len(submitted.revisions) == 1
    assert f"SHA-256: {submitted.revisions[0].sha256}" in html
    assert 'data-testid="answers-form"' not in html and count("revision", html) == 1
    assert submitted.revisions[0].sha256 in html
    # frozen: saving again is refused
    response = pages.post(f"{url}/save", data={"version": "1", **form_of(C01="no")},
                          follow_redirects=True)
    assert "can no longer be changed" in response.get_data(as_text=True)


def test_refresh_assembles_the_content_again(world, pages):
    report = make_report(world.unit_a, world.coordinator_a, answered=True)
    pages.login(world.coordinator_a)
    html = pages.html(f"/reports/{report.id}")
    assert 'data-testid="refresh-form"' in html and "data-confirm=" in html
    from hazards import service as hazards
    hazards.create_hazard(world.coordinator_a, world.unit_a, {
        "description": "消防通道堵塞", "severity": "high", "source": "self_inspection",
        "owner": "王五", "due_date": today_in(world.unit_a) + timedelta(days=5)})
    db.session.commit()
    assert "消防通道堵塞" not in pages.html(f"/reports/{report.id}")
    response = pages.post(f"/reports/{report.id}/refresh")
    assert response.status_code == 302
    html = pages.html(f"/reports/{report.id}")
    assert "消防通道堵塞" in html and "assembled again" in html
    assert reload(Report, report.id).answers == all_answers()


def test_only_the_coordinator_writes_and_only_the_police_review(world, pages):
    report = make_report(world.unit_a, world.coordinator_a, submitted=True)
    for user in (world.supervisor_a, world.admin):
        relogin(pages, user)
        for action in ("save", "refresh", "submit"):
            assert pages.post(f"/reports/{report.id}/{action}").status_code == 403
        assert pages.post(f"/reports/{report.id}/review",
                          data={"decision": "accept"}).status_code == 403
    relogin(pages, world.coordinator_a)
    assert pages.post(f"/reports/{report.id}/review",
                      data={"decision": "accept"}).status_code == 403
    relogin(pages, world.police_a)
    assert pages.post(f"/reports/{report.id}/submit").status_code == 403
    assert pages.post(f"/units/{world.unit_a.id}/reports", data={
        "period_start": "2020-01-01", "period_end": "2020-06-30"}).status_code == 403
    relogin(pages, world.police_b)
    assert pages.post(f"/reports/{report.id}/review",
                      data={"decision": "accept"}).status_code == 404
    assert reload(Report, report.id).status == "submitted"


# The police's review, the revisions, the comparison

def test_the_police_return_with_a_comment_and_accept_the_revision(world, pages):
    report = make_report(world.unit_a, world.coordinator_a, submitted=True)
    pages.login(world.police_a)
    url = f"/reports/{report.id}"
    html = pages.html(url)
    assert 'data-testid="accept-form"' in html and 'data-testid="return-form"' in html
    assert html.count("data-confirm=") >= 2
    response = pages.post(f"{url}/review", data={"decision": "return", "comment": "  "})
    assert response.status_code == 422
    assert "Say what the unit must change." in error_of(response.get_data(as_text=True),
                                                        "comment")
    response = pages.post(f"{url}/review", data={"decision": "return",
                                                 "comment": "C03 东门巡查情况请补充说明"})
    assert response.status_code == 302
    returned = reload(Report, report.id)
    assert returned.status == "returned" and returned.revision == 2
    assert "comes back as revision 2" in pages.html(url)

    relogin(pages, world.coordinator_a)
    html = pages.html(url)
    assert 'data-testid="return-comment"' in html and "C03 东门巡查情况请补充说明" in html
    assert 'data-testid="answers-form"' in html
    data = {"version": version_of(html), "narrative": "本期安保工作正常。\n东门巡查已补记。",
            **form_of(**{item_id: "yes" for item_id in checklist.IDS}),
            **form_of(C03=("no", "东门巡查漏检两次，已整改"))}
    assert pages.post(f"{url}/save", data=data).status_code == 302
    assert pages.post(f"{url}/submit").status_code == 302

    relogin(pages, world.police_a)
    html = pages.html(url)
    assert 'data-testid="review-box"' in html and "Review revision 2" in html
    response = pages.post(f"{url}/review", data={"decision": "accept", "comment": ""})
    assert response.status_code == 302
    html = pages.html(url)
    assert reload(Report, report.id).status == "accepted"
    assert 'data-testid="accepted-note"' in html and 'data-testid="review-box"' not in html
    revisions = re.findall(r'data-testid="revision" data-revision="(\d)"', html)
    assert revisions == ["2", "1"]
    assert re.findall(r'data-testid="decision" data-decision="(\w*)"', html) == ["accept",
                                                                                 "return"]
    assert count("revision-read", html) == 2  # police_a read each revision
    steps = re.findall(r'data-testid="history-step" data-action="(\w+)"', html)
    assert steps == ["create", "submit", "return", "submit", "accept"]


def test_the_comparison_shows_what_changed(world, pages):
    report = make_report(world.unit_a, world.coordinator_a, submitted=True,
                         narrative="第一行\n第二行")
    review(report, world.police_a, "return", "请补充")
    report = reload(Report, report.id)
    from hazards import service as hazards
    hazards.create_hazard(world.coordinator_a, world.unit_a, {
        "description": "消防通道堵塞", "severity": "high", "source": "self_inspection",
        "owner": "王五", "due_date": today_in(world.unit_a) + timedelta(days=5)})
    with request_context():
        service.refresh(world.coordinator_a, report)
        service.update_report(world.coordinator_a, report, {
            "narrative": "第一行\n第二行已改", "checklist": {"C05": {"answer": "no",
                                                                 "note": "危险品台账缺失"}}})
    db.session.commit()

    pages.login(world.coordinator_a)
    html = pages.html(f"/reports/{report.id}")
    assert 'data-testid="compare-latest"' in html
    html = pages.html(f"/reports/{report.id}/compare")  # the working copy against revision 1
    assert "Revision 2 (working copy)" in html
    assert re.findall(r'data-testid="checklist-change" data-item="(C\d\d)"', html) == ["C05"]
    assert "危险品台账缺失" in html
    lines = re.findall(r'data-change="(\w+)"><span class="diff-mark"', html)
    assert lines == ["same", "removed", "added"]
    assert "消防通道堵塞" in html and count("content-added", html) >= 1

    with request_context():
        service.submit(world.coordinator_a, reload(Report, report.id))
    db.session.commit()
    relogin(pages, world.police_a)
    html = pages.html(f"/reports/{report.id}/compare?a=1&b=2")
    assert re.findall(r'data-testid="checklist-change" data-item="(C\d\d)"', html) == ["C05"]
    assert "working copy" not in html
    assert 'data-testid="compare-revision"' in pages.html(f"/reports/{report.id}")
    html = pages.html(f"/reports/{report.id}/compare?a=9&b=nonsense")
    assert re.search(r'<option value="1" selected>', html)
    second = periods.owed(world.unit_a, today_in(world.unit_a))[1][0]
    single = make_report(world.unit_a, world.coordinator_a, second, submitted=True)
    html = pages.html(f"/reports/{single.id}/compare")
    assert "Nothing to compare yet." in html


def test_downloads_are_the_report_and_are_audited(world, pages):
    report = make_report(world.unit_a, world.coordinator_a, submitted=True)
    pages.login(world.police_a)
    response = pages.get(f"/reports/{report.id}/download.xlsx")
    assert response.status_code == 200
    assert response.mimetype.startswith("application/vnd.openxmlformats")
    assert response.get_data()[:2] == b"PK"
    response = pages.get(f"/reports/{report.id}/download.pdf")
    assert response.status_code == 200 and response.get_data()[:5] == b"%PDF-"
    assert pages.get(f"/reports/{report.id}/download.doc").status_code == 404
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "export", AuditEvent.entity == "report")).all()
    assert len(events) == 2
    assert db.session.scalar(sa.select(ReportRead.username)) == "police_a"


# The review queue

def test_the_queue_lists_submitted_first_with_counts_and_filters(world, make, pages):
    unit_a = world.unit_a
    spans = owing(unit_a)
    accepted = make_report(unit_a, world.coordinator_a, spans[0][0], submitted=True)
    review(accepted, world.police_a, "accept")
    returned = make_report(unit_a, world.coordinator_a, spans[1][0], submitted=True)
    review(returned, world.police_a, "return", "请补充")
    waiting = make_report(unit_a, world.coordinator_a, spans[2][0], submitted=True)
    make_report(unit_a, world.coordinator_a, spans[3][0])  # a draft: never listed
    make_report(world.unit_b, world.coordinator_b, submitted=True)  # another district
    pages.login(world.police_a)
    html = pages.html("/reports")
    ids = [int(i) for i in re.findall(r'data-testid="queue-row" data-report-id="(\d+)"', html)]
    assert ids == [waiting.id, returned.id, accepted.id]
    tiles = dict(re.findall(r'data-count-of="(\w+)" data-count="(\d+)"', html))
    assert tiles["submitted"] == "1" and tiles["returned"] == "1"
    assert f'href="/reports/{waiting.id}"' in html
    html = pages.html("/reports?status=returned")
    assert re.findall(r'data-report-id="(\d+)"', html) == [str(returned.id)]
    assert count("queue-row", pages.html("/reports?status=draft")) == 3  # ignored
    assert count("queue-row", pages.html(f"/reports?jurisdiction_id={world.station_a.id}")) == 3
    other = make.jurisdiction("员村派出所", "A2", world.district_a)
    assert count("queue-row", pages.html(f"/reports?jurisdiction_id={other.id}")) == 0
    # a jurisdiction out of scope is ignored like any bad value
    assert count("queue-row", pages.html(f"/reports?jurisdiction_id={world.district_b.id}")) == 3

    # overdue: owed periods whose due date passed without a submitted report
    today = today_in(unit_a)
    late = [s for s, e in spans if periods.due(e) < today and s not in (accepted.period_start,
                                                                        waiting.period_start)]
    html = pages.html("/reports?overdue=true")
    rows = re.findall(
        r'data-testid="overdue-row" data-unit-id="(\d+)" data-period-start="([\d-]+)"', html)
    assert sorted(s for _u, s in rows) == sorted(s.isoformat() for s in late)
    assert tiles["overdue"] == str(len(late))
    assert returned.period_start.isoformat() in [s for _u, s in rows]


def test_the_supervisor_queue_keeps_to_the_sectors(world, make, pages):
    make_report(world.unit_a, world.coordinator_a, submitted=True)
    hospital = world.other_unit_a
    hospital.key_security_unit = True
    db.session.commit()
    coordinator = make.user("coordinator", "coordinator_h", unit_id=hospital.id)
    make_report(hospital, coordinator, submitted=True)
    pages.login(world.supervisor_a)
    html = pages.html("/reports")
    assert count("queue-row", html) == 1 and "天河实验学校" in html and "天河医院" not in html
    assert "天河医院" not in pages.html("/reports?overdue=true")
    relogin(pages, world.police_a)
    assert count("queue-row", pages.html("/reports")) == 2


def test_the_queue_runs_as_many_statements_for_3_reports_as_for_12(world, make, pages):
    pages.login(world.police_a)

    def add(n):
        for i in range(n):
            unit = make.unit(world.station_a, name=f"重点单位{i}-{n}", key_security_unit=True)
            coordinator = make.user("coordinator", unit_id=unit.id)
            make_report(unit, coordinator, submitted=True)

    add(3)
    with count_queries() as few:
        html = pages.html("/reports")
    assert count("queue-row", html) == 3
    with count_queries() as few_overdue:
        pages.html("/reports?overdue=true")
    add(9)
    with count_queries() as many:
        html = pages.html("/reports")
    assert count("queue-row", html) == 12
    with count_queries() as many_overdue:
        pages.html("/reports?overdue=true")
    assert many() == few()
    assert many_overdue() == few_overdue()


# Police inspections and spot checks

def test_the_inspection_form_makes_hazards_and_orders(world, pages):
    unit = world.unit_a
    pages.login(world.police_a)
    url = f"/units/{unit.id}/inspections/new"
    html = pages.html(url)
    assert count("finding-row", html) == 3 and 'id="f-findings-2-description"' in html
    assert re.search(r'<option value="regular" selected>', html)
    assert f'value="{today_in(unit).isoformat()}"' in html

    # errors: no summary, a finding without its due date; the rows keep their input
    response = pages.post(url, data={
        "kind": "special", "inspected_on": "2031-03-02", "summary": "",
        "findings-0-description": "", "findings-0-severity": "medium",
        "findings-1-description": "监控室无人值守", "findings-1-severity": "high",
        "findings-1-due_date": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_of(html, "summary") and error_of(html, "findings-0-due_date")
    assert "监控室无人值守" in html and 'id="f-findings-0-description"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 0

    due = (today_in(unit) + timedelta(days=20)).isoformat()
    response = pages.post(url, data={
        "kind": "special", "inspected_on": today_in(unit).isoformat(),
        "summary": "开学前专项检查。",
        "findings-0-description": "监控室无人值守", "findings-0-severity": "high",
        "findings-0-due_date": due, "findings-0-order": "on",
        "findings-1-description": "", "findings-1-severity": "medium",
        "findings-2-description": "灭火器过期", "findings-2-severity": "low",
        "findings-2-due_date": due, "findings-2-owner": "王五"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/units/{unit.id}/reports#inspections")
    hazards = db.session.scalars(sa.select(Hazard).order_by(Hazard.id)).all()
    assert [(h.description, h.order, h.source) for h in hazards] == [
        ("监控室无人值守", True, "police_inspection"), ("灭火器过期", False, "police_inspection")]
    assert hazards[1].owner == "王五"
    html = pages.html(f"/units/{unit.id}/reports")
    assert "2 findings were added" in html and count("inspection", html) == 1
    assert 'data-kind="special"' in html and count("inspection-hazard", html) == 2
    relogin(pages, world.coordinator_a)
    html = pages.html(f"/units/{unit.id}/reports")
    assert "开学前专项检查。" in html and 'data-testid="record-inspection"' not in html


def test_spot_checks_draw_with_a_seed_and_lead_to_inspections(world, make, pages):
    for i in range(3):
        make.unit(world.station_a, name=f"抽查单位{i}")
    pages.login(world.police_a)
    html = pages.html("/spot-checks")
    assert 'data-testid="draw-form"' in html and 'data-testid="empty-state"' in html
    assert "石牌派出所" in html and "越秀区分局" not in html

    response = pages.post("/spot-checks", data={"jurisdiction_id": str(world.district_a.id),
                                                "count": "0", "seed": "abc"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_of(html, "count") and error_of(html, "seed")
    response = pages.post("/spot-checks", data={"jurisdiction_id": str(world.district_b.id),
                                                "count": "2"})
    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), "jurisdiction_id")

    response = pages.post("/spot-checks", data={"jurisdiction_id": str(world.district_a.id),
                                                "count": "2", "seed": "42", "category": ""})
    assert response.status_code == 302
    check = db.session.scalars(sa.select(SpotCheck)).one()
    assert response.headers["Location"].endswith(f"/spot-checks#spot-check-{check.id}")
    assert check.seed == 42 and len(check.unit_ids) == 2 and len(check.candidate_ids) == 5
    html = pages.html("/spot-checks")
    assert "2 units drawn of 5 with seed 42." in html
    assert 'data-seed="42"' in html and count("drawn-unit", html) == 2
    first = check.unit_ids[0]
    link = f"/units/{first}/inspections/new?kind=random&amp;spot_check_id={check.id}"
    assert link in html and f'href="/units/{first}"' in html
    # the same seed over the same units draws the same units
    pages.post("/spot-checks", data={"jurisdiction_id": str(world.district_a.id), "count": "2",
                                     "seed": "42"})
    again = db.session.scalars(sa.select(SpotCheck).order_by(SpotCheck.id.desc())).first()
    assert again.unit_ids == check.unit_ids

    html = pages.html(link.replace("&amp;", "&"))
    assert re.search(r'<option value="random" selected>', html)
    assert f'name="spot_check_id" value="{check.id}"' in html
    response = pages.post(f"/units/{first}/inspections/new", data={
        "kind": "random", "inspected_on": today_in(world.unit_a).isoformat(),
        "summary": "随机抽查，未发现问题。", "spot_check_id": str(check.id)})
    assert response.status_code == 302
    html = pages.html("/spot-checks")
    assert count("inspected", html) == 1
    # a spot check that did not draw the unit
    other = next(u for u in check.candidate_ids if u not in check.unit_ids)
    response = pages.post(f"/units/{other}/inspections/new", data={
        "kind": "random", "inspected_on": "2031-01-01", "summary": "x",
        "spot_check_id": str(check.id)})
    assert response.status_code == 422
    assert "Not a spot check that drew this unit." in response.get_data(as_text=True)


# CSRF, the content security policy, the menu, the unit's page

def test_form_posts_without_a_csrf_token_are_refused(world, pages):
    report = make_report(world.unit_a, world.coordinator_a, answered=True)
    pages.login(world.coordinator_a)
    for url in (f"/reports/{report.id}/save", f"/reports/{report.id}/submit",
                f"/reports/{report.id}/refresh", f"/units/{world.unit_a.id}/reports"):
        assert pages.client.post(url, data={"narrative": "x"}).status_code == 400, url
    assert reload(Report, report.id).status == "draft"
    relogin(pages, world.police_a)
    for url in ("/spot-checks", f"/units/{world.unit_a.id}/inspections/new",
                f"/reports/{report.id}/review"):
        assert pages.client.post(url, data={"count": "1"}).status_code == 400, url
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SpotCheck)) == 0


def test_the_pages_keep_to_the_content_security_policy(world, pages):
    report = make_report(world.unit_a, world.coordinator_a, submitted=True)
    review(report, world.police_a, "return", "请补充")
    pages.login(world.coordinator_a)
    urls = [f"/units/{world.unit_a.id}/reports", f"/reports/{report.id}",
            f"/reports/{report.id}/compare"]
    for url in urls:
        html = pages.html(url)
        assert "style=" not in html and "<style" not in html, url
        assert not INLINE_SCRIPT.search(html), url
    relogin(pages, world.police_a)
    for url in urls + ["/reports", "/reports?overdue=true", "/spot-checks",
                       f"/units/{world.unit_a.id}/inspections/new"]:
        html = pages.html(url)
        assert "style=" not in html and "<style" not in html, url
        assert not INLINE_SCRIPT.search(html), url


def test_every_form_field_has_a_label(world, pages):
    report = make_report(world.unit_a, world.coordinator_a)
    other = make_report(world.unit_a, world.coordinator_a,
                        periods.owed(world.unit_a, today_in(world.unit_a))[1][0], submitted=True)
    pages.login(world.coordinator_a)
    urls = {world.coordinator_a: [f"/reports/{report.id}", f"/units/{world.unit_a.id}/reports"],
            world.police_a: [f"/reports/{other.id}", f"/units/{world.unit_a.id}/inspections/new",
                             "/spot-checks", "/reports", f"/reports/{other.id}/compare"]}
    for user, pages_of in urls.items():
        relogin(pages, user)
        for url in pages_of:
            html = pages.html(url)
            fields = re.findall(FIELD, html)
            assert fields, url
            for field_id in fields:
                assert f'for="{field_id}"' in html, (url, field_id)


@pytest.mark.parametrize("role, entries", [
    ("coordinator_a", {"Reports"}), ("police_a", {"Reports", "Spot checks"}),
    ("supervisor_a", {"Reports"}), ("admin", {"Reports"}), ("staff_a", set())])
def test_the_menu_has_the_report_pages_of_each_role(world, pages, role, entries):
    user = getattr(world, role)
    pages.login(user)
    html = pages.html(f"/units/{world.unit_a.id}")
    menu = re.search(r'<ul class="navbar-nav me-auto">(.*?)</ul>', html, re.S).group(1)
    labels = set(re.findall(r'href="[^"]+">(Reports|Spot checks)</a>', menu))
    assert labels == entries
    if role == "coordinator_a":
        assert f'href="/units/{world.unit_a.id}/reports">Reports' in menu
    elif entries:
        assert 'href="/reports">Reports' in menu
    if entries:
        assert 'data-testid="reports-link"' in html and 'data-testid="inspections-link"' in html
    else:
        assert 'data-testid="reports-link"' not in html


def test_the_menu_marks_the_report_pages_active(world, pages):
    report = make_report(world.unit_a, world.coordinator_a, submitted=True)
    pages.login(world.police_a)
    html = pages.html(f"/reports/{report.id}")
    assert re.search(r'class="nav-link active"\s+aria-current="page" href="/reports"', html)
    html = pages.html("/spot-checks")
    assert re.search(r'class="nav-link active"\s+aria-current="page" href="/spot-checks"', html)
    relogin(pages, world.coordinator_a)
    html = pages.html(f"/reports/{report.id}")
    assert re.search(r'class="nav-link active"\s+aria-current="page" href="/units/%d/reports"'
                     % world.unit_a.id, html)


def test_the_pages_speak_chinese_by_default(world, pages):
    report = make_report(world.unit_a, world.coordinator_a, submitted=True)
    pages.login(world.police_a, language=None)
    html = pages.html(f"/reports/{report.id}")
    assert '<html lang="zh-CN">' in html and "天河实验学校" in html
