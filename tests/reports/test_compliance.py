"""The REPORT obligation (DESIGN.md §3): one item per period from the first period that starts
on or after `key_since` up to the one containing `as_of`; due 15 days after the period ends;
`due_soon` when as_of ≤ due ≤ as_of + 30 days, `overdue` when the due date is before as_of;
done once submitted (on or before as_of) and not returned; quarters for key targets, half
years for other key security units. Read through GET /units/{id}/compliance?as_of=."""
from datetime import date

import pytest
import sqlalchemy as sa

from anbao.extensions import db
from reports.models import ReportRevision
from tests.reports.helpers import (H2_2025, answer, at, create, key_since, review, submit,
                                   submitted)


def _items(api, world, unit, as_of: date) -> list[dict]:
    response = api.get(f"/units/{unit.id}/compliance?as_of={as_of.isoformat()}",
                       as_=world.admin)
    assert response.status_code == 200, response.get_json()
    return [i for i in response.get_json()["items"] if i["rule"] == "REPORT"]


def _by_due(api, world, unit, as_of: date) -> dict[str, str]:
    """due date → status of the unit's REPORT items."""
    return {i["due_date"]: i["status"] for i in _items(api, world, unit, as_of)}


def _submitted_on(report_id: int, day: date) -> None:
    """Backdate the report's submissions to that day."""
    for revision in db.session.scalars(sa.select(ReportRevision).where(
            ReportRevision.report_id == report_id)):
        revision.submitted_at = at(day, 9)
    db.session.commit()


def test_nothing_is_owed_before_the_first_period_after_key_since(api, world):
    key_since(world.unit_a, date(2025, 3, 15))  # the first half year starts 2025-07-01
    assert _items(api, world, world.unit_a, date(2025, 3, 15)) == []
    assert _items(api, world, world.unit_a, date(2025, 6, 30)) == []
    [item] = _items(api, world, world.unit_a, date(2025, 7, 1))
    assert item["due_date"] == "2026-01-15"
    assert item["status"] == "ok" and item["title"] and item["clause"] and item["detail"]
    assert len(_items(api, world, world.unit_a, date(2026, 1, 1))) == 2
    # a unit that is no key unit owes none
    key_since(world.other_unit_a, date(2020, 1, 1))
    assert _items(api, world, world.other_unit_a, date(2026, 1, 1)) == []


def test_a_period_starting_on_key_since_is_owed(api, world):
    key_since(world.unit_a, date(2025, 7, 1))
    assert [i["due_date"] for i in _items(api, world, world.unit_a, date(2025, 7, 1))] == \
        ["2026-01-15"]


def test_the_subject_names_the_period(api, world):
    key_since(world.unit_a, date(2025, 1, 1))
    subjects = [i["subject"] for i in _items(api, world, world.unit_a, date(2025, 12, 31))]
    assert len(subjects) == len(set(subjects)) == 2 and all(subjects)


def test_the_subject_is_written_as_api_md_says(api, world):
    key_since(world.unit_a, date(2025, 1, 1))
    key_since(world.unit_b, date(2025, 1, 1))
    assert [i["subject"] for i in _items(api, world, world.unit_a, date(2025, 12, 31))] == \
        ["2025-H1", "2025-H2"]
    assert [i["subject"] for i in _items(api, world, world.unit_b, date(2025, 6, 30))] == \
        ["2025-Q1", "2025-Q2"]


# (as_of, status) of the item due on 15 January 2026 (H2 2025) / 15 April 2025 (Q1 2025)
HALF_YEAR_BOUNDARIES = [(date(2025, 12, 15), "ok"),        # 31 days before the due date
                        (date(2025, 12, 16), "due_soon"),  # 30 days before
                        (date(2026, 1, 15), "due_soon"),   # the due date itself
                        (date(2026, 1, 16), "overdue")]    # the day after
QUARTER_BOUNDARIES = [(date(2025, 3, 15), "ok"), (date(2025, 3, 16), "due_soon"),
                      (date(2025, 4, 15), "due_soon"), (date(2025, 4, 16), "overdue")]


def test_due_15_days_after_the_half_year(api, world):
    key_since(world.unit_a, date(2025, 7, 1))
    for as_of, status in HALF_YEAR_BOUNDARIES:
        assert _by_due(api, world, world.unit_a, as_of)["2026-01-15"] == status, as_of


def test_due_15_days_after_the_quarter(api, world):
    key_since(world.unit_b, date(2025, 1, 1))
    for as_of, status in QUARTER_BOUNDARIES:
        assert _by_due(api, world, world.unit_b, as_of)["2025-04-15"] == status, as_of


def test_key_targets_owe_quarters_and_key_security_units_half_years(api, world):
    key_since(world.unit_a, date(2025, 2, 14))
    key_since(world.unit_b, date(2025, 2, 14))
    as_of = date(2025, 10, 1)
    assert list(_by_due(api, world, world.unit_b, as_of)) == \
        ["2025-07-15", "2025-10-15", "2026-01-15"]   # Q2, Q3, Q4 2025
    assert list(_by_due(api, world, world.unit_a, as_of)) == ["2026-01-15"]   # H2 2025
    # a key target that is also a key security unit: quarters
    key_since(world.unit_b, date(2025, 2, 14), key_security_unit=True)
    assert len(_items(api, world, world.unit_b, as_of)) == 3


def test_a_submitted_report_is_ok_from_the_day_it_was_submitted(api, world):
    key_since(world.unit_a, date(2025, 7, 1))
    report = submitted(api, world.coordinator_a, world.unit_a, H2_2025)
    _submitted_on(report["id"], date(2026, 1, 20))   # five days late
    assert _by_due(api, world, world.unit_a, date(2026, 1, 19))["2026-01-15"] == "overdue"
    [item] = [i for i in _items(api, world, world.unit_a, date(2026, 1, 20))
              if i["due_date"] == "2026-01-15"]
    assert item["status"] == "ok"
    assert "2026年1月20日" in item["detail"]  # in the caller's language
    assert _by_due(api, world, world.unit_a, date(2026, 6, 20)) == \
        {"2026-01-15": "ok", "2026-07-15": "due_soon"}


def test_a_draft_does_not_count(api, world):
    key_since(world.unit_a, date(2025, 7, 1))
    report = create(api, world.coordinator_a, world.unit_a, H2_2025)
    answer(api, world.coordinator_a, report["id"])
    assert _by_due(api, world, world.unit_a, date(2026, 2, 1))["2026-01-15"] == "overdue"


def test_a_returned_report_is_not_done_until_resubmitted(api, world):
    key_since(world.unit_a, date(2025, 7, 1))
    report = submitted(api, world.coordinator_a, world.unit_a, H2_2025)
    _submitted_on(report["id"], date(2026, 1, 10))
    today = date(2026, 11, 28)
    assert _by_due(api, world, world.unit_a, today)["2026-01-15"] == "ok"
    review(api, world.police_a, report["id"], "return", "请补充")
    assert _by_due(api, world, world.unit_a, today)["2026-01-15"] == "overdue"
    # as of a day before the return it was done
    assert _by_due(api, world, world.unit_a, date(2026, 1, 12))["2026-01-15"] == "ok"
    answer(api, world.coordinator_a, report["id"], "已补充")
    submit(api, world.coordinator_a, report["id"])
    assert _by_due(api, world, world.unit_a, today)["2026-01-15"] == "ok"
    review(api, world.police_a, report["id"], "accept", "")
    assert _by_due(api, world, world.unit_a, today)["2026-01-15"] == "ok"


def test_another_units_report_does_not_count(api, world, make):
    key_since(world.unit_a, date(2025, 7, 1))
    key_since(world.other_unit_a, date(2025, 7, 1), key_security_unit=True)
    coordinator = make.user("coordinator", "coordinator_hospital",
                            unit_id=world.other_unit_a.id)
    report = submitted(api, coordinator, world.other_unit_a, H2_2025)
    _submitted_on(report["id"], date(2026, 1, 5))
    assert _by_due(api, world, world.other_unit_a, date(2026, 2, 1))["2026-01-15"] == "ok"
    assert _by_due(api, world, world.unit_a, date(2026, 2, 1))["2026-01-15"] == "overdue"


def test_a_late_report_for_a_period_before_key_since_adds_no_item(api, world):
    key_since(world.unit_a, date(2025, 7, 1))
    submitted(api, world.coordinator_a, world.unit_a,
              {"period_start": "2025-01-01", "period_end": "2025-06-30"})
    assert list(_by_due(api, world, world.unit_a, date(2026, 11, 28))) == \
        ["2026-01-15", "2026-07-15", "2027-01-15"]


def test_the_unit_status_follows_an_overdue_report(api, world):
    key_since(world.unit_b, date(2025, 1, 1))
    response = api.get(f"/units/{world.unit_b.id}/compliance?as_of=2025-04-16",
                       as_=world.admin).get_json()
    assert response["status"] == "non_compliant"
    overview = api.get("/compliance?as_of=2025-04-16", as_=world.police_b).get_json()
    [row] = [r for r in overview if r["unit_id"] == world.unit_b.id]
    assert row["overdue"] >= 1
