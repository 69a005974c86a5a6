"""The demo shows the hazard ledger in every state, through the API as users see it."""
import sqlalchemy as sa

from anbao import demo
from anbao.auth.models import User
from anbao.extensions import db
from units.models import Unit


def _user(name):
    return db.session.scalar(sa.select(User).where(User.username == name))


def test_the_school_ledger_shows_every_state(api):
    demo.load()
    school = db.session.scalar(sa.select(Unit).where(Unit.category == "school"))
    rows = api.get(f"/units/{school.id}/hazards", as_=_user("coordinator")).get_json()
    assert {r["status"] for r in rows} == {"open", "rectified", "closed"}
    assert any(r["overdue"] and not r["order"] for r in rows)
    overdue_orders = [r for r in rows if r["order"] and r["overdue"]]
    assert len(overdue_orders) == 1
    detail = api.get(f"/hazards/{overdue_orders[0]['id']}", as_=_user("police")).get_json()
    assert detail["penalty"]["unit_max"] == 100_000
    assert {(r["escalated_to"], r["acknowledged_by"]) for r in rows if r["escalated_to"]} == {
        ("supervisor", "supervisor"), ("police", None)}
    assert any(r["evidence"] for r in rows)
    rejected = [r for r in rows if r["order"] and r["status"] == "rectified"]
    history = api.get(f"/hazards/{rejected[0]['id']}", as_=_user("police")).get_json()["history"]
    assert [s["action"] for s in history] == ["create", "rectify", "reject", "evidence",
                                              "rectify"]
    waiting = api.get("/hazards", as_=_user("police"),
                      query_string={"escalated_to": "police", "acknowledged": "false"})
    assert [r["unit_id"] for r in waiting.get_json()] == [school.id]
    # the museum lies in another district: not in the Tianhe officer's list
    museum = db.session.scalar(sa.select(Unit).where(Unit.category == "museum"))
    listed = {r["unit_id"] for r in api.get("/hazards", as_=_user("police")).get_json()}
    assert museum.id not in listed and school.id in listed
