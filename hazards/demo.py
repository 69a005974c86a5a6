"""Demo hazards: the school's ledger in every state (open, overdue, rectified and waiting,
closed, escalated to the supervisor and acknowledged, escalated to the police and waiting),
two police orders (one overdue, showing the penalty exposure; one rejected once and rectified
again), an order for the hospital and a hazard in each other unit."""
import io
import struct
import zlib
from datetime import timedelta

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from anbao.extensions import db, utcnow
from anbao.system import stand_in
from hazards import service
from hazards.models import HazardStep
from units.models import KeyPart
from units.service import today_in


def _png() -> bytes:
    """A 1×1 grey PNG: enough for the content check and for a viewer to open."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b""))


def _as(username, role, unit=None, jurisdiction=None, sectors=()):
    """Stand-ins for the demo's logins (created after the loaders run)."""
    return stand_in(role, username, unit, jurisdiction, sectors)


STAMPS = {"rectify": "rectified_at", "accept": "verified_at", "reject": "verified_at",
          "escalate": "escalated_at", "acknowledge": "acknowledged_at"}


def _backdate(hazard, days_ago: int) -> None:
    """Spread the hazard's history over the days before today, so the ledger reads real."""
    steps = db.session.scalars(sa.select(HazardStep).where(HazardStep.hazard_id == hazard.id)
                               .order_by(HazardStep.id)).all()
    start = utcnow() - timedelta(days=days_ago)
    hazard.created_at = start
    for n, step in enumerate(steps):
        step.at = start + timedelta(days=days_ago * n / max(len(steps), 1), hours=n)
        if step.action in STAMPS:
            setattr(hazard, STAMPS[step.action], step.at)
        for attachment in hazard.evidence:
            if attachment.id in step.attachment_ids and step.action == "evidence":
                attachment.created_at = step.at


def _evidence(actor, hazard, name: str):
    return service.add_evidence(actor, hazard, FileStorage(io.BytesIO(_png()), name,
                                                           content_type="image/png"))


def _school(school, police, supervisor) -> None:
    me = _as("coordinator", "coordinator", school)
    today = today_in(school)
    lab = db.session.scalar(sa.select(KeyPart).where(KeyPart.unit_id == school.id,
                                                     KeyPart.name == "化学实验室危化品仓"))
    gate = db.session.scalar(sa.select(KeyPart).where(KeyPart.unit_id == school.id,
                                                      KeyPart.name == "东校区正门"))

    fence = service.create_hazard(me, school, {
        "description": "东校区围墙西北角护栏松动，存在翻越风险", "severity": "medium",
        "source": "self_inspection", "owner": "张建华", "location": "东校区围墙西北角",
        "due_date": today + timedelta(days=10)})
    _backdate(fence, 4)

    video = service.create_hazard(me, school, {
        "description": "化学实验室危化品仓视频监控录像仅保存 30 天，不足 90 天的要求",
        "severity": "high", "source": "self_inspection", "owner": "李卫国",
        "key_part_id": lab.id if lab else None, "due_date": today - timedelta(days=5)})
    _backdate(video, 25)

    alarm = service.create_hazard(me, school, {
        "description": "西校区门卫室一键报警按钮按下后公安端无响应", "severity": "major",
        "source": "drill", "owner": "何平", "location": "西校区门卫室",
        "due_date": today + timedelta(days=2)})
    _evidence(me, alarm, "报警按钮测试记录.png")
    proof = _evidence(me, alarm, "更换后联调截图.png")
    service.rectify(me, alarm, "更换报警主机并与辖区派出所联调，按钮触发 8 秒内接警",
                    [proof.id])
    _backdate(alarm, 9)

    bollard = service.create_hazard(me, school, {
        "description": "东校区正门防冲撞桩一根被车辆撞歪，无法升起", "severity": "high",
        "source": "self_inspection", "owner": "吴刚", "key_part_id": gate.id if gate else None,
        "due_date": today - timedelta(days=20)})
    service.rectify(me, bollard, "厂家更换液压升降桩一根，试升降 10 次正常", [])
    service.verify(me, bollard, True, "复查合格，销号")
    _backdate(bollard, 40)

    crossing = service.create_hazard(me, school, {
        "description": "校门前上下学时段人车混行，缺少护学岗和交通隔离设施", "severity": "high",
        "source": "self_inspection", "owner": "陈校长", "location": "东校区正门外石牌东路",
        "due_date": today + timedelta(days=30)})
    service.escalate(me, crossing, "supervisor", "需教育局协调区交警设置护学岗和隔离护栏")
    service.acknowledge(supervisor, crossing, "已转区交警大队，下周会同现场查看")
    _backdate(crossing, 12)

    dorm = service.create_hazard(me, school, {
        "description": "宿舍区夜间有校外人员翻越围墙进入的痕迹", "severity": "major",
        "source": "self_inspection", "owner": "李卫国", "location": "东校区学生宿舍",
        "due_date": today + timedelta(days=7)})
    service.escalate(me, dorm, "police", "请派出所加强夜间巡逻并协助排查")
    _backdate(dorm, 2)

    blind = service.issue_order(police, school, {
        "description": "东校区正门视频监控存在盲区，未覆盖门前广场及上下学通道",
        "due_date": today - timedelta(days=3),
        "legal_basis": "《企业事业单位内部治安保卫条例》第十三条；《广州市关于加强单位内部"
                       "治安保卫工作的意见》（十七）", "location": "东校区正门"})
    _backdate(blind, 33)

    guards = service.issue_order(police, school, {
        "description": "西校区专职保安员配备不足，夜间仅一人值守", "severity": "medium",
        "due_date": today + timedelta(days=15),
        "legal_basis": "《企业事业单位内部治安保卫条例》第十条"})
    service.rectify(me, guards, "新招聘持证保安员一名，排班表已调整", [])
    service.verify(police, guards, False, "排班表未体现夜间双人值守，请补充")
    roster = _evidence(me, guards, "西校区保安排班表.png")
    service.rectify(me, guards, "夜间改为双人值守，附新排班表", [roster.id])
    _backdate(guards, 18)


def load(actor, context: dict) -> None:
    units, places = context["units"], context["jurisdictions"]
    police = _as("police", "police", jurisdiction=places["tianhe"])
    supervisor = _as("supervisor", "supervisor", jurisdiction=places["city"],
                     sectors=["school"])
    _school(units["school"], police, supervisor)

    hospital = units["hospital"]
    today = today_in(hospital)
    order = service.issue_order(police, hospital, {
        "description": "急诊科警务室防暴盾牌配备不足，未达到应配数量",
        "due_date": today + timedelta(days=20), "location": "急诊科警务室"})
    _backdate(order, 3)
    service.create_hazard(_as("coordinator_h", "coordinator", hospital), hospital, {
        "description": "住院部消防通道堆放杂物", "severity": "medium", "source": "supervisor",
        "owner": "梁志", "location": "住院部 3 楼", "due_date": today + timedelta(days=3)})

    bank = units["bank"]
    teller = _as("system", "coordinator", bank)
    glass = service.create_hazard(teller, bank, {
        "description": "现金区防弹玻璃一处裂纹", "severity": "high", "source": "self_inspection",
        "owner": "曾华", "location": "营业厅现金区", "due_date": today_in(bank)})
    service.rectify(teller, glass, "更换整块防弹玻璃", [])
    service.verify(teller, glass, True, "")
    _backdate(glass, 30)

    museum = units["museum"]
    service.create_hazard(_as("system", "coordinator", museum), museum, {
        "description": "二号展厅夜间红外报警探头误报频繁", "severity": "medium",
        "source": "self_inspection", "owner": "韩磊", "location": "二号展厅",
        "due_date": today_in(museum) + timedelta(days=14)})
    db.session.flush()
