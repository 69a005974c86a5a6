"""The demo shows every unit status on the police's and the admin's overview."""
import sqlalchemy as sa

from anbao import demo
from anbao.auth.models import User
from anbao.extensions import db


def test_the_demo_units_show_every_status(api):
    demo.load()
    admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
    rows = api.get("/compliance", as_=admin).get_json()
    assert {r["status"] for r in rows} == {"compliant", "attention", "non_compliant"}


def test_the_demo_has_told_its_users_what_the_scheduler_would_have(api):
    """Loading the demo runs the scheduler's jobs once: the school's coordinator has
    reminders, due obligations and hazard notices; the police have their digest."""
    demo.load()
    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    kinds = {n["kind"] for n in api.get("/notifications", as_=users["coordinator"],
                                         query_string={"page_size": 500}).get_json()}
    assert {"reminder_7d", "hazard_overdue", "equipment_alert"} <= kinds, kinds
    assert any(kind.startswith("obligation_") for kind in kinds), kinds
    digest = api.get("/notifications", as_=users["police"]).get_json()
    assert [n["kind"] for n in digest] == ["compliance_digest"]
    assert "广州市天河区第一实验学校" in digest[0]["body"]
    # a second load tells nobody anything new
    before = len(api.get("/notifications", as_=users["coordinator"],
                         query_string={"page_size": 500}).get_json())
    demo.load()
    assert len(api.get("/notifications", as_=users["coordinator"],
                       query_string={"page_size": 500}).get_json()) == before
