"""Demo plans: the school's plans in every state (superseded, approved, a review due soon, a
draft with an attachment, a scenario missing), the hospital's approved ones."""
import io
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from werkzeug.datastructures import FileStorage

from anbao.extensions import utcnow
from anbao.system import stand_in
from plans import scenarios
from plans import service
from plans.models import SCENARIOS

# A one-page PDF, enough for the content check and for a viewer to open.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def _coordinator(unit):
    """Plans are written by a unit's coordinator; the demo stands in for one."""
    return stand_in("coordinator", unit=unit)


def _has_template(scenario: str) -> bool:
    try:
        scenarios.template(scenario, "comprehensive", "zh_CN")
    except FileNotFoundError:
        return False
    return True


def _start(actor, unit, scenario, level, contacts=(), **data):
    title = data.pop("title", None) or scenarios.template(scenario, level, "zh_CN")["title"]
    return service.create_plan(actor, unit, {"scenario": scenario, "level": level,
                                             "title": title, "contacts": list(contacts),
                                             **data}, "zh_CN")


def load(actor, context: dict) -> None:
    units = context["units"]
    school, hospital = units["school"], units["hospital"]
    available = [s for s in SCENARIOS if _has_template(s)]

    coordinator = _coordinator(school)
    contacts = [{"role": "总指挥", "name": "陈校长", "phone": "020-87650001"},
                {"role": "副总指挥", "name": "李卫国", "phone": "13800000001"},
                {"role": "属地派出所", "name": "石牌派出所值班室", "phone": "020-87650110"}]
    if "terror_attack" in available:
        first = _start(coordinator, school, "terror_attack", "comprehensive", contacts)
        service.approve_plan(coordinator, first, "陈校长")
        first.approved_at -= timedelta(days=400)
        first.review_due -= timedelta(days=400)
        second, _created = service.update_plan(coordinator, first, {"sections": {
            "measures": first.sections.get("measures", "") + "\n东校区正门增设防冲撞桩 4 根，"
                        "上下学时段保安员双岗值守。"}})
        service.approve_plan(coordinator, second, "陈校长")
    if "theft_robbery" in available:
        draft = _start(coordinator, school, "theft_robbery", "onsite", contacts[1:])
        service.attach(coordinator, draft, FileStorage(io.BytesIO(PDF), "财务室平面图.pdf",
                                                       content_type="application/pdf"))
    if "accident" in available:
        old = _start(coordinator, school, "accident", "comprehensive", contacts)
        service.approve_plan(coordinator, old, "陈校长")
        # approved nearly three years ago: the review falls due within the month
        old.approved_at = utcnow() - timedelta(days=3 * 365 - 20)
        old.review_due = old.approved_at.date() + relativedelta(months=service.review_months())
    if "sabotage" in available:
        plan = _start(coordinator, school, "sabotage", "special", contacts)
        service.approve_plan(coordinator, plan, "陈校长")
    # extreme_individual is left without a plan: the tiles show it missing

    coordinator = _coordinator(hospital)
    contacts = [{"role": "总指挥", "name": "刘院长", "phone": "020-38880001"},
                {"role": "保卫科", "name": "梁志", "phone": "020-38880110"}]
    for scenario in ("terror_attack", "extreme_individual", "accident"):
        if scenario in available:
            plan = _start(coordinator, hospital, scenario, "comprehensive", contacts)
            service.approve_plan(coordinator, plan, "刘院长")
    if "theft_robbery" in available:
        _start(coordinator, hospital, "theft_robbery", "special", contacts)
