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
