"""Demo drills and trainings: the school's term (a monthly anti-terror drill series with one
occurrence moved, one cancelled and outcomes for those held; a weekly guard training without
end; a fire drill held last month whose findings became hazards; an unannounced drill next
week; a cancelled training), and a drill of the hospital."""
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from dateutil.relativedelta import MO, relativedelta

from anbao.system import stand_in
from drills import outcomes, recurrence, service
from equipment.models import Equipment
from plans.models import Plan
from units.models import KeyPart, Person
from units.service import today_in


def _coordinator(unit):
    return stand_in("coordinator", "coordinator", unit=unit)


def _at(unit, day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), service.zone_of(unit))


def _people(unit, *names):
    from anbao.extensions import db
    rows = db.session.scalars(sa.select(Person).where(Person.unit_id == unit.id,
                                                      Person.name.in_(names))).all()
    return [p.id for p in rows]


def _school(school) -> None:
    from anbao.extensions import db
    me = _coordinator(school)
    today = today_in(school)
    zone = service.zone_of(school)
    plan = db.session.scalar(sa.select(Plan).where(
        Plan.unit_id == school.id, Plan.scenario == "terror_attack",
        Plan.status == "approved"))
    gate = db.session.scalar(sa.select(KeyPart).where(KeyPart.unit_id == school.id,
                                                      KeyPart.name == "东校区正门"))
    guards = _people(school, "吴刚", "郑勇", "冯军", "陈亮", "何平", "罗斌", "高峰")
    leaders = _people(school, "李卫国", "张建华", "王志强", "赵明")
    teacher = _people(school, "林晓红")

    # a monthly drill series on the first Monday, from three months ago, six times
    first_monday = (today - relativedelta(months=3)).replace(day=1) + relativedelta(weekday=MO)
    series = service.create_activity(me, school, {
        "kind": "drill", "title": "防暴恐袭击处置演练", "scenario": "terror_attack",
        "format": "functional", "plan_id": plan.id if plan else None,
        "starts_at": _at(school, first_monday, 15, 30),
        "ends_at": _at(school, first_monday, 16, 30),
        "location": "东校区正门及操场", "key_part_id": gate.id if gate else None,
        "description": "模拟持刀人员冲击校门：门卫报警、封闭校门、钢叉盾牌处置、疏散学生至教学楼。",
        "rrule": "FREQ=MONTHLY;BYDAY=1MO;COUNT=6",
        "participant_ids": guards + leaders + teacher})
    rule = recurrence.parse(series.rrule, series.starts_at, zone)
    starts = [recurrence.instant(w, zone) for w in list(rule)]
    past = [s for s in starts if s.astimezone(zone).date() < today]
    future = [s for s in starts if s.astimezone(zone).date() >= today]
    items = db.session.scalars(sa.select(Equipment).where(Equipment.unit_id == school.id)
                               .order_by(Equipment.id)).all()
    forks = next((i for i in items if i.name == "钢叉"), None)
    alarm = next((i for i in items if "一键报警" in i.name), None)
    for n, start in enumerate(past):
        held_from = start
        checks = [{"equipment_id": forks.id, "worked": True}] if forks else []
        findings = []
        if n == len(past) - 1:
            if alarm:
                checks.append({"equipment_id": alarm.id, "worked": False,
                               "note": "按下后 40 秒公安端才收到"})
            findings.append({"description": "西侧小门未能在 2 分钟内关闭，门禁钥匙不在岗",
                             "severity": "medium", "owner": "张建华",
                             "due_date": today + timedelta(days=10), "plan_review": True})
        outcomes.record(me, series, {
            "occurrence": start, "held_from": held_from,
            "held_to": held_from + timedelta(minutes=55),
            "attendee_ids": guards + leaders, "participants_count": 320,
            "objectives": [{"text": "3 分钟内向公安报警", "result": "met"},
                           {"text": "5 分钟内封闭校门", "result": "partially_met" if findings
                            else "met"},
                           {"text": "学生 10 分钟内疏散至教学楼", "result": "met"}],
            "response_times": {"alarm_to_police": 95 + 10 * n, "lockdown": 240 - 20 * n,
                               "evacuation": 540},
            "equipment_checks": checks, "findings": findings,
            "noteworthy": "门卫报警迅速，盾牌钢叉配合熟练。",
            "summary": f"第 {n + 1} 次月度演练，整体达到预期。", "evaluator": "李卫国"})
    if len(future) >= 2:
        moved = future[0]
        service.move(me, series, moved, moved + timedelta(days=1), moved + timedelta(days=1,
                                                                                     hours=1))
        service.cancel(me, series, "期末考试周，顺延至下月", future[1])

    # a weekly guard training without end
    monday = today - timedelta(days=today.weekday() + 14)
    service.create_activity(me, school, {
        "kind": "training", "title": "保安员岗位技能训练", "topic": "skills",
        "starts_at": _at(school, monday, 7), "ends_at": _at(school, monday, 8),
        "location": "东校区操场", "rrule": "FREQ=WEEKLY;BYDAY=MO",
        "description": "钢叉、盾牌使用，门岗盘查，应急通讯。", "participant_ids": guards})

    # a fire drill held last month
    held = today - timedelta(days=24)
    fire = service.create_activity(me, school, {
        "kind": "drill", "title": "教学楼火灾疏散综合演练", "scenario": "accident",
        "format": "full_scale", "starts_at": _at(school, held, 10),
        "ends_at": _at(school, held, 11, 30), "location": "东校区教学楼 A 栋",
        "participant_ids": leaders + teacher})
    outcomes.record(me, fire, {
        "held_from": _at(school, held, 10, 5), "held_to": _at(school, held, 11, 20),
        "attendee_ids": leaders + teacher, "participants_count": 1450,
        "objectives": [{"text": "全体师生 6 分钟内疏散至操场", "result": "not_met"},
                       {"text": "微型消防站 3 分钟到场", "result": "met"}],
        "response_times": {"alarm_to_evacuation_start": 60, "evacuation": 470},
        "findings": [{"description": "A 栋三楼东侧安全出口指示灯不亮", "severity": "high",
                      "owner": "王志强", "due_date": today - timedelta(days=3)},
                     {"description": "部分班级未按路线疏散，需加强班主任培训",
                      "severity": "low"}],
        "noteworthy": "广播引导清晰。", "summary": "疏散用时 7 分 50 秒，超出目标。",
        "evaluator": "李卫国"})

    # an unannounced drill next week: staff see only a busy block
    soon = today + timedelta(days=6)
    service.create_activity(me, school, {
        "kind": "drill", "title": "夜间宿舍区突击演练（不提前通知）", "scenario": "extreme_individual",
        "format": "functional", "unannounced": True, "starts_at": _at(school, soon, 21),
        "ends_at": _at(school, soon, 22), "location": "东校区学生宿舍",
        "participant_ids": guards + teacher})

    # national security education day (15 April) and a cancelled awareness training
    april = today.replace(month=4, day=15)
    if april <= today:
        april = april.replace(year=today.year + 1)
    service.create_activity(me, school, {
        "kind": "training", "title": "全民国家安全教育日专题讲座", "topic": "national_security",
        "starts_at": _at(school, april, 14), "ends_at": _at(school, april, 16),
        "location": "东校区礼堂", "participant_ids": leaders + teacher})
    talk = service.create_activity(me, school, {
        "kind": "training", "title": "反恐防范知识讲座", "topic": "anti_terror",
        "starts_at": _at(school, today + timedelta(days=12), 14),
        "ends_at": _at(school, today + timedelta(days=12), 15, 30), "location": "西校区会议室",
        "participant_ids": teacher})
    service.cancel(me, talk, "主讲民警临时有任务，另行安排", None)


def load(actor, context: dict) -> None:
    units = context["units"]
    _school(units["school"])
    hospital = units["hospital"]
    today = today_in(hospital)
    service.create_activity(_coordinator(hospital), hospital, {
        "kind": "drill", "title": "急诊科暴力伤医处置演练", "scenario": "extreme_individual",
        "format": "tabletop", "starts_at": _at(hospital, today + timedelta(days=9), 14),
        "ends_at": _at(hospital, today + timedelta(days=9), 15), "location": "急诊科会议室"})
