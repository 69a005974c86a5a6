"""The demo's reports show every state, with a history the police can follow, and their
SHA-256 holds; the bank's unsubmitted half year shows as an overdue obligation."""
import hashlib
import json

import sqlalchemy as sa

from anbao import demo
from anbao.auth.models import User
from anbao.extensions import db


def _user(name):
    return db.session.scalar(sa.select(User).where(User.username == name))


def test_the_demo_reports_show_every_state(api):
    demo.load()
    admin, police = _user("admin"), _user("police")
    statuses = {r["status"] for r in api.get("/reports", as_=admin,
                                             query_string={"page_size": 500}).get_json()}
    assert statuses == {"submitted", "accepted", "returned"}  # drafts are the unit's own
    coordinator = _user("coordinator")
    mine = api.get(f"/units/{coordinator.unit_id}/reports", as_=coordinator).get_json()
    assert {r["status"] for r in mine} == {"draft", "submitted", "accepted"}
    accepted = next(r for r in mine if r["status"] == "accepted")
    revisions = api.get(f"/reports/{accepted['id']}/revisions", as_=police).get_json()
    assert [r["review"]["decision"] for r in revisions] == ["return", "accept"]
    for revision in revisions:
        body = json.dumps({k: revision[k] for k in ("content", "checklist", "narrative")},
                          ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        assert hashlib.sha256(body.encode()).hexdigest() == revision["sha256"]
    bank = next(r for r in api.get("/compliance", as_=admin).get_json()
                if r["unit_name"].startswith("中国工商银行"))
    items = api.get(f"/units/{bank['unit_id']}/compliance", as_=admin).get_json()["items"]
    assert any(i["rule"] == "REPORT" and i["status"] == "overdue" for i in items)
    assert api.get(f"/units/{bank['unit_id']}/inspections", as_=police).get_json()
    assert api.get("/spot-checks", as_=police).get_json()[0]["seed"] == 20261128
