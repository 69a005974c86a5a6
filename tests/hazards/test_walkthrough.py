"""A hazard and an order walked through their whole life in one go (API.md "Hazards and orders")."""
import io
from datetime import timedelta

from units.service import today_in


def test_walk_through(api, world):
    c = world.coordinator_a
    past = (today_in(world.unit_a) - timedelta(days=3)).isoformat()
    r = api.post(f"/units/{world.unit_a.id}/hazards", as_=c, json={"description": "东门围栏破损", "severity": "high", "source": "self_inspection", "owner": "王五", "due_date": past})
    assert r.status_code == 201, r.get_json()
    h = r.get_json()
    assert h["overdue"] and h["penalty"] is None
    o = api.post(f"/units/{world.unit_a.id}/orders", as_=world.police_a, json={"description": "监控未覆盖", "due_date": past})
    assert o.status_code == 201, o.get_json()
    o = o.get_json()
    assert o["penalty"]["unit_min"] == 10000
    r = api.get(f"/units/{world.unit_a.id}/hazards?overdue=true&order=true", as_=world.police_a)
    assert [x["id"] for x in r.get_json()] == [o["id"]]
    r = api.get("/hazards?overdue=true", as_=world.police_a)
    assert len(r.get_json()) == 2, r.get_json()
    assert api.get(f"/hazards/{o['id']}", as_=world.staff_a).status_code == 403
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    e = api.post(f"/hazards/{o['id']}/evidence", as_=c, data={"file": (io.BytesIO(png), "照片.png")}, content_type="multipart/form-data")
    assert e.status_code == 201, e.get_json()
    r = api.post(f"/hazards/{o['id']}/rectify", as_=c, json={"measures": "加装摄像头", "evidence_ids": [e.get_json()["id"]]})
    assert r.status_code == 200 and r.get_json()["status"] == "rectified", r.get_json()
    assert api.post(f"/hazards/{o['id']}/verify", as_=c, json={"accepted": True}).status_code == 403
    r = api.post(f"/hazards/{o['id']}/verify", as_=world.police_a, json={"accepted": False, "comment": "角度不对"})
    assert r.get_json()["status"] == "open"
    assert api.post(f"/hazards/{h['id']}/acknowledge", as_=world.supervisor_a, json={}).status_code == 409
    r = api.post(f"/hazards/{h['id']}/escalate", as_=c, json={"to": "supervisor", "reason": "需要资金"})
    assert r.status_code == 200
    assert api.post(f"/hazards/{h['id']}/acknowledge", as_=world.police_a, json={}).status_code == 403
    r = api.post(f"/hazards/{h['id']}/acknowledge", as_=world.supervisor_a, json={})
    assert r.status_code == 200 and r.get_json()["acknowledged_by"] == "supervisor_a"
    r = api.patch(f"/hazards/{o['id']}", as_=c, json={"due_date": past})
    assert r.status_code == 422, r.get_json()
    r = api.patch(f"/hazards/{o['id']}", as_=world.police_a, json={"due_date": today_in(world.unit_a).isoformat()})
    assert r.status_code == 200 and r.get_json()["penalty"] is None
