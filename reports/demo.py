"""Demo reports in every state, an inspection and a spot check: the school (half years) has
last year's second half accepted after a return, this year's first half submitted and
awaiting review, and the current half a draft in progress; the museum (quarters) has the
second quarter accepted and the third returned; the bank has not reported its first half
(overdue). The police inspected the bank and drew a spot check of Tianhe."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from anbao.extensions import db
from anbao.system import stand_in
from reports import checklist, inspections, periods, service
from reports.models import ReportRevision
from units.service import today_in

NOTES = {"C08": "出入口、重点部位视频已接入市公安视频平台", "C09": "录像保存 90 天",
         "C13": "年度反恐经费已列入预算", "C17": "保安员均已投保意外险"}


def _answers(partial: bool = False) -> dict:
    ids = checklist.IDS[:9] if partial else checklist.IDS
    return {item_id: {"answer": "na" if item_id == "C13" and partial else "yes",
                      "note": NOTES.get(item_id, "")} for item_id in ids}


def _when(unit, day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), ZoneInfo(unit.timezone))


def _backdate(report, submitted: list[date], reviewed: list[date | None]) -> None:
    """Put the revisions' submissions and reviews on plausible days after the period."""
    revisions = db.session.scalars(sa.select(ReportRevision).where(
        ReportRevision.report_id == report.id).order_by(ReportRevision.revision)).all()
    for revision, sent, seen in zip(revisions, submitted, reviewed):
        revision.submitted_at = _when(report.unit, sent, 10)
        if seen is not None and revision.reviewed_at is not None:
            revision.reviewed_at = _when(report.unit, seen, 15)


def _report(unit, start: date, *, answers: dict, narrative: str):
    coordinator = stand_in("coordinator", "coordinator", unit=unit)
    end = periods.containing(start, periods.months_of(unit))[1]
    report = service.create_report(coordinator, unit, start, end)
    service.update_report(coordinator, report, {"checklist": answers, "narrative": narrative})
    return coordinator, report


def load(actor, context: dict) -> None:
    units, places = context["units"], context["jurisdictions"]
    tianhe = stand_in("police", "police", jurisdiction=places["tianhe"])
    yuexiu = stand_in("police", "police_yx", jurisdiction=places["yuexiu"])

    school = units["school"]
    school.key_since = date(2025, 7, 1)
    me, old = _report(school, date(2025, 7, 1), answers=_answers(),
                      narrative="下半年共组织防暴恐演练 2 次、消防疏散演练 1 次，隐患均已整改。")
    service.submit(me, old)
    service.review(tianhe, old, "return", "请补充 C08 视频联网的具体情况，并说明东门围栏整改进度。")
    service.update_report(me, old, {"narrative": old.narrative + "东门围栏已于 12 月更换；"
                                    "视频联网情况见 C08 说明。"})
    service.submit(me, old)
    service.review(tianhe, old, "accept", "")
    _backdate(old, [date(2026, 1, 12), date(2026, 1, 20)], [date(2026, 1, 16),
                                                            date(2026, 1, 22)])
    me, first = _report(school, date(2026, 1, 1), answers=_answers(),
                        narrative="上半年完成五类预案演练计划的一半，保安员培训 2 次。")
    service.submit(me, first)
    _backdate(first, [date(2026, 7, 10)], [None])
    _report(school, periods.containing(today_in(school), 6)[0], answers=_answers(partial=True),
            narrative="（草稿）本期工作总结待完成。")

    museum = units["museum"]
    museum.key_since = date(2026, 4, 1)
    keeper, second = _report(museum, date(2026, 4, 1), answers=_answers(),
                             narrative="二季度文物库房安防设施运行正常。")
    service.submit(keeper, second)
    service.review(yuexiu, second, "accept", "")
    _backdate(second, [date(2026, 7, 8)], [date(2026, 7, 14)])
    keeper, third = _report(museum, date(2026, 7, 1), answers=_answers(),
                            narrative="三季度开展夜间巡查 92 次。")
    service.submit(keeper, third)
    service.review(yuexiu, third, "return", "二号展厅红外报警误报问题未写明整改措施，请补充。")
    _backdate(third, [date(2026, 10, 13)], [date(2026, 10, 20)])

    bank = units["bank"]
    bank.key_since = date(2026, 1, 1)  # its first half's report was never submitted
    today = today_in(bank)
    inspections.inspect(tianhe, bank, {
        "kind": "regular", "inspected_on": today - timedelta(days=6),
        "summary": "检查营业厅、金库及监控室：人防、物防总体到位，发现两处问题。",
        "findings": [
            {"description": "金库通道应急照明失效", "severity": "high",
             "due_date": today + timedelta(days=10), "order": True},
            {"description": "监控室值班记录缺少 11 月 3 日夜班签字", "severity": "low",
             "due_date": today + timedelta(days=7)}]})
    inspections.spot_check(tianhe, {"jurisdiction_id": places["tianhe"].id, "count": 2,
                                    "seed": 20261128})
    db.session.flush()
