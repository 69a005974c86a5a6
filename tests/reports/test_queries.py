"""Lists answer in a fixed number of SQL statements, whatever the number of reports (no
statement per row): GET /reports, GET /units/{id}/reports, GET /reports/{id}/revisions."""
from datetime import date

from anbao.extensions import db
from reports import service
from tests.conftest import count_queries
from tests.reports.helpers import ALL_YES, coordinator_of, key_since

QUARTERS = [(date(year, month, 1), date(year, month + 2, 30 if month in (4, 7) else 31))
            for year in (2023, 2024, 2025) for month in (1, 4, 7, 10)]


def _submitted(unit, start, end):
    who = coordinator_of(unit)
    report = service.create_report(who, unit, start, end)
    service.update_report(who, report, {"narrative": "自查", "checklist": ALL_YES})
    service.submit(who, report)
    db.session.commit()
    return report


def _statements(api, user, path, rows):
    api.headers(user)         # the user's token, issued before counting
    db.session.expire_all()   # nothing read before the request helps it
    with count_queries() as n:
        response = api.get(path, as_=user)
    assert response.status_code == 200, response.get_json()
    assert len(response.get_json()) == rows
    return n()


def test_a_units_reports(api, world):
    path = f"/units/{world.unit_b.id}/reports"
    for start, end in QUARTERS[:3]:
        _submitted(world.unit_b, start, end)
    few = {user.username: _statements(api, user, path, 3)
           for user in (world.police_b, world.coordinator_b, world.admin)}
    for start, end in QUARTERS[3:]:
        _submitted(world.unit_b, start, end)
    many = {user.username: _statements(api, user, path, 12)
            for user in (world.police_b, world.coordinator_b, world.admin)}
    assert many == few


def test_the_reports_of_a_jurisdiction(api, world, make):
    units = [key_since(make.unit(world.district_a, name=f"天河重点目标{n}", category="transit",
                                 key_target=True), date(2025, 1, 1)) for n in range(12)]
    for unit in units[:3]:
        _submitted(unit, date(2026, 1, 1), date(2026, 3, 31))
    few = {user.username: _statements(api, user, "/reports", 3)
           for user in (world.police_a, world.admin)}
    for unit in units[3:]:
        _submitted(unit, date(2026, 1, 1), date(2026, 3, 31))
    many = {user.username: _statements(api, user, "/reports", 12)
            for user in (world.police_a, world.admin)}
    assert many == few
    names = [row["unit_name"] for row in api.get("/reports", as_=world.police_a).get_json()]
    assert names == [f"天河重点目标{n}" for n in range(12)]


def test_revisions_and_their_reads(api, world, make):
    readers = [make.user("police", f"police_reader{n}", jurisdiction_id=world.district_a.id)
               for n in range(4)]
    report = _submitted(world.unit_a, date(2026, 1, 1), date(2026, 6, 30))
    path = f"/reports/{report.id}/revisions"
    api.get(f"/reports/{report.id}", as_=readers[0])
    few = _statements(api, world.police_a, path, 1)
    for n in range(3):
        service.review(world.police_a, report, "return", f"第{n + 1}次退回")
        service.update_report(coordinator_of(world.unit_a), report, {"narrative": f"修改{n}"})
        service.submit(coordinator_of(world.unit_a), report)
        db.session.commit()
        for reader in readers:
            api.get(f"/reports/{report.id}", as_=reader)
    many = _statements(api, world.police_a, path, 4)
    assert many == few
