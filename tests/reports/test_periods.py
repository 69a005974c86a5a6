"""Report periods (API.md "Reports", DESIGN.md §3 REPORT): calendar quarters for key targets,
calendar half years for other key security units; any other period, or a unit that is no key
unit, is 422 naming the field; a second report for the same period is 409; periods before
`key_since` are allowed (late reports)."""
from datetime import date

import sqlalchemy as sa

from anbao.extensions import db
from reports import periods
from reports.models import Report
from tests.reports.helpers import create, key_since

HALF_YEARS = [("2026-01-01", "2026-06-30"), ("2026-07-01", "2026-12-31"),
              ("2024-07-01", "2024-12-31")]
QUARTERS = [("2026-01-01", "2026-03-31"), ("2026-04-01", "2026-06-30"),
            ("2026-07-01", "2026-09-30"), ("2026-10-01", "2026-12-31"),
            ("2024-01-01", "2024-03-31")]  # 2024 is a leap year: Q1 still ends on 31 March
NOT_HALF_YEARS = [("2026-01-01", "2026-03-31"), ("2026-01-01", "2026-06-29"),
                  ("2026-01-02", "2026-06-30"), ("2026-04-01", "2026-09-30"),
                  ("2026-01-01", "2026-12-31"), ("2026-07-01", "2027-06-30")]
NOT_QUARTERS = [("2026-01-01", "2026-06-30"), ("2026-02-01", "2026-04-30"),
                ("2026-01-01", "2026-03-30"), ("2026-01-01", "2026-01-31"),
                ("2026-12-01", "2027-02-28"), ("2026-10-01", "2027-12-31")]


def _post(api, user, unit, start, end):
    return api.post(f"/units/{unit.id}/reports", as_=user,
                    json={"period_start": start, "period_end": end})


def test_a_key_security_unit_reports_by_half_year(api, world):
    for start, end in HALF_YEARS:
        response = _post(api, world.coordinator_a, world.unit_a, start, end)
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        assert (body["period_start"], body["period_end"]) == (start, end)
        assert (body["status"], body["revision"], body["sha256"]) == ("draft", 1, None)


def test_a_key_security_unit_reports_no_other_period(api, world):
    for start, end in NOT_HALF_YEARS:
        response = _post(api, world.coordinator_a, world.unit_a, start, end)
        assert response.status_code == 422, (start, end)
        assert "period_start" in response.get_json()["errors"]["json"]
    assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 0


def test_a_key_target_reports_by_quarter(api, world):
    for start, end in QUARTERS:
        response = _post(api, world.coordinator_b, world.unit_b, start, end)
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["period_end"] == end


def test_a_key_target_reports_no_other_period(api, world):
    for start, end in NOT_QUARTERS:
        response = _post(api, world.coordinator_b, world.unit_b, start, end)
        assert response.status_code == 422, (start, end)
        assert "period_start" in response.get_json()["errors"]["json"]
    assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 0


def test_a_key_target_that_is_also_a_key_security_unit_reports_by_quarter(api, world):
    key_since(world.unit_b, world.unit_b.key_since, key_security_unit=True)
    assert _post(api, world.coordinator_b, world.unit_b, "2026-01-01", "2026-06-30") \
        .status_code == 422
    assert _post(api, world.coordinator_b, world.unit_b, "2026-01-01", "2026-03-31") \
        .status_code == 201


def test_a_period_that_ends_before_it_starts_names_the_end(api, world):
    response = _post(api, world.coordinator_a, world.unit_a, "2026-06-30", "2026-01-01")
    assert response.status_code == 422
    assert "period_end" in response.get_json()["errors"]["json"]


def test_missing_or_malformed_dates_are_named(api, world):
    for body, named in (({}, {"period_start", "period_end"}),
                        ({"period_start": "2026-01-01"}, {"period_end"}),
                        ({"period_start": "2026-01-01", "period_end": "30.06.2026"},
                         {"period_end"}),
                        ({"period_start": "2026-13-01", "period_end": "2026-06-30"},
                         {"period_start"})):
        response = api.post(f"/units/{world.unit_a.id}/reports", as_=world.coordinator_a,
                            json=body)
        assert response.status_code == 422
        assert set(response.get_json()["errors"]["json"]) == named, body


def test_a_unit_that_is_no_key_unit_owes_no_report(api, world, make):
    coordinator = make.user("coordinator", "coordinator_hospital",
                            unit_id=world.other_unit_a.id)
    for start, end in HALF_YEARS[:1] + QUARTERS[:1]:
        response = _post(api, coordinator, world.other_unit_a, start, end)
        assert response.status_code == 422
        assert "period_start" in response.get_json()["errors"]["json"]
    assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 0


def test_a_second_report_for_the_same_period_conflicts(api, world):
    first = create(api, world.coordinator_a, world.unit_a)
    response = _post(api, world.coordinator_a, world.unit_a, "2026-01-01", "2026-06-30")
    assert response.status_code == 409
    assert response.get_json()["code"] == 409
    assert db.session.scalars(sa.select(Report.id)).all() == [first["id"]]
    # another period, and the same period of another unit, are fine
    assert _post(api, world.coordinator_a, world.unit_a, "2026-07-01", "2026-12-31") \
        .status_code == 201
    assert _post(api, world.coordinator_b, world.unit_b, "2026-01-01", "2026-03-31") \
        .status_code == 201


def test_late_reports_before_key_since_are_allowed(api, world):
    key_since(world.unit_a, date(2026, 7, 1))
    response = _post(api, world.coordinator_a, world.unit_a, "2023-01-01", "2023-06-30")
    assert response.status_code == 201, response.get_json()
    response = _post(api, world.coordinator_a, world.unit_a, "2026-01-01", "2026-06-30")
    assert response.status_code == 201, response.get_json()


OWED = [
    # half years from the first one that starts on or after key_since
    (False, date(2025, 1, 1), date(2025, 12, 31),
     [(date(2025, 1, 1), date(2025, 6, 30)), (date(2025, 7, 1), date(2025, 12, 31))]),
    (False, date(2025, 1, 2), date(2025, 12, 31), [(date(2025, 7, 1), date(2025, 12, 31))]),
    (False, date(2025, 1, 2), date(2025, 6, 30), []),
    (False, date(2025, 7, 1), date(2025, 7, 1), [(date(2025, 7, 1), date(2025, 12, 31))]),
    # quarters
    (True, date(2025, 2, 14), date(2025, 10, 1),
     [(date(2025, 4, 1), date(2025, 6, 30)), (date(2025, 7, 1), date(2025, 9, 30)),
      (date(2025, 10, 1), date(2025, 12, 31))]),
    (True, date(2025, 10, 1), date(2026, 1, 1),
     [(date(2025, 10, 1), date(2025, 12, 31)), (date(2026, 1, 1), date(2026, 3, 31))]),
]


def test_the_periods_owed(world):
    for key_target, since, as_of, expected in OWED:
        unit = world.unit_b if key_target else world.unit_a
        key_since(unit, since)
        assert periods.owed(unit, as_of) == expected, (key_target, since, as_of)
        for _start, end in expected:
            assert periods.due(end) == date.fromordinal(end.toordinal() + 15)


def test_no_key_unit_owes_no_period(world):
    unit = world.other_unit_a
    key_since(unit, date(2020, 1, 1))
    assert periods.owed(unit, date(2026, 1, 1)) == []
