"""Every list page ignores a filter or page it cannot mean: odd digits, ids beyond a column,
NUL, unknown choices, non-dates. Each answers 200, never a 500 (on PostgreSQL too, which
refuses NUL and compares no 32-bit column with a larger number)."""
import pytest

from tests.anbao.test_views import pages  # noqa: F401  (fixture)

ODD = ("²", "99999999999", "-1", "abc", "%00", "x%00y", "1e3", "2027-02-30", "")
LISTS = {
    "admin": ["/users", "/compliance/settings"],
    "police_a": ["/units", "/jurisdictions", "/hazards", "/compliance", "/reports",
                 "/spot-checks", "/notifications", "/dashboard"],
    "coordinator_a": ["/users", "/units/{unit}/people", "/units/{unit}/hazards",
                      "/units/{unit}/equipment", "/units/{unit}/activities",
                      "/units/{unit}/reports", "/units/{unit}/compliance", "/notifications"],
}
ARGS = ("page", "q", "role", "unit_id", "jurisdiction_id", "year", "drawn_by", "kind",
        "status", "category", "active", "as_of", "month", "overdue", "severity", "alert")


@pytest.mark.parametrize("role", sorted(LISTS))
def test_odd_filter_values_are_ignored(world, pages, role):
    pages.login(getattr(world, role))
    for path in LISTS[role]:
        path = path.format(unit=world.unit_a.id)
        for value in ODD:
            query = "&".join(f"{name}={value}" for name in ARGS)
            response = pages.get(f"{path}?{query}")
            assert response.status_code == 200, (path, value, response.status_code)
