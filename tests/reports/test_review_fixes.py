"""What a review of the reports found, kept fixed: the police see a returned report as it
was submitted, never the unit's edits since; an XLSX carries any text as text (control
characters, no formulas); a period is named by its start and end; a period not begun is 422;
opening /revisions is a read of each revision; a page's odd date is ignored, never a 500."""
import io

import openpyxl
import sqlalchemy as sa

from anbao.extensions import db
from reports.models import ReportRead
from tests.anbao.test_views import pages  # noqa: F401  (fixture)
from tests.reports.helpers import H1, Q1, answer, create, digest, review, submitted


def test_the_police_see_a_returned_report_as_submitted(api, world):
    report = submitted(api, world.coordinator_a, world.unit_a, narrative="第一版说明")
    review(api, world.police_a, report["id"], "return", "请补充")
    answer(api, world.coordinator_a, report["id"], "单位正在修改的内容")
    mine = api.get(f"/reports/{report['id']}", as_=world.coordinator_a).get_json()
    assert mine["narrative"] == "单位正在修改的内容" and mine["sha256"] is None
    for user in (world.police_a, world.supervisor_a):
        seen = api.get(f"/reports/{report['id']}", as_=user).get_json()
        assert (seen["status"], seen["narrative"]) == ("returned", "第一版说明")
        assert seen["sha256"] == digest(seen["content"], seen["checklist"], seen["narrative"])
        assert seen["review"]["decision"] == "return"
    pdf = api.get(f"/reports/{report['id']}.xlsx", as_=world.police_a)
    book = openpyxl.load_workbook(io.BytesIO(pdf.data))
    texts = {cell.value for sheet in book for row in sheet.iter_rows() for cell in row}
    assert "第一版说明" in texts and "单位正在修改的内容" not in texts


def test_an_xlsx_holds_control_characters_and_formulas_as_text(api, world):
    report = create(api, world.coordinator_a, world.unit_a)
    checklist = {f"C{n:02d}": {"answer": "yes", "note": ""} for n in range(1, 19)}
    checklist["C03"]["note"] = '=HYPERLINK("http://evil.example/","click")'
    answer(api, world.coordinator_a, report["id"], "响铃\x07与\x1b转义", checklist)
    response = api.get(f"/reports/{report['id']}.xlsx", as_=world.coordinator_a)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    values = {cell.value for cell in cells}
    assert "响铃\ufffd与\ufffd转义" in values
    assert "'=HYPERLINK(\"http://evil.example/\",\"click\")" in values


def test_a_period_is_named_by_its_start_and_end(api, world):
    school = world.unit_a        # a key security unit: half years
    create(api, world.coordinator_a, school, H1)
    school.key_target = True     # now also a key target: quarters
    db.session.commit()
    quarter = create(api, world.coordinator_a, school, Q1)
    assert quarter["period_end"] == "2026-03-31"


def test_a_period_not_begun_is_refused(api, world):
    response = api.post(f"/units/{world.unit_a.id}/reports", as_=world.coordinator_a,
                        json={"period_start": "2199-07-01", "period_end": "2199-12-31"})
    assert response.status_code == 422
    assert "period_start" in response.get_json()["errors"]["json"]


def test_reading_the_revisions_is_a_read_of_each(api, world):
    report = submitted(api, world.coordinator_a, world.unit_a)
    review(api, world.police_a, report["id"], "return", "请修改")
    answer(api, world.coordinator_a, report["id"], "修改后")
    api.post(f"/reports/{report['id']}/submit", as_=world.coordinator_a)
    revisions = api.get(f"/reports/{report['id']}/revisions", as_=world.supervisor_a).get_json()
    assert [[r["username"] for r in rev["reads"]] for rev in revisions] == \
        [["supervisor_a"], ["supervisor_a"]]
    api.get(f"/reports/{report['id']}/revisions", as_=world.supervisor_a)
    assert db.session.scalar(sa.select(sa.func.count(ReportRead.id))) == 2


def test_an_odd_period_on_the_units_page_is_ignored(world, pages):
    pages.login(world.coordinator_a)
    for value in ("9999-12-31", "0001-01-01", "2026-13-40", "x"):
        response = pages.get(f"/units/{world.unit_a.id}/reports?period_start={value}")
        assert response.status_code == 200, value
