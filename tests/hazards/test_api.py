"""Hazards and orders through the API: filters, pagination, validation, evidence and the number
of statements a list costs (API.md "Conventions", "Hazards and orders")."""
import hashlib
import io
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from anbao.attachments.models import Attachment
from anbao.attachments.service import MAX_SIZE
from anbao.extensions import db
from hazards import service
from hazards.models import Hazard, HazardStep
from tests.conftest import count_queries
from units.service import today_in

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}
PDF = b"%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
       b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00"
       b"\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


# Helpers shared by the hazards tests.

def day(unit, days: int = 0) -> str:
    """Today in the unit's zone, moved by `days`, as YYYY-MM-DD."""
    return str(today_in(unit) + timedelta(days=days))


def coordinator_of(world, unit):
    return {world.unit_a.id: world.coordinator_a, world.unit_b.id: world.coordinator_b}[unit.id]


def hazard_body(unit, **fields) -> dict:
    return {"description": "东门围栏破损", "severity": "medium", "source": "self_inspection",
            "owner": "王五", "due_date": day(unit, 14), **fields}


def record(api, world, unit=None, as_=None, **fields):
    """POST a hazard the unit found; the response."""
    unit = unit or world.unit_a
    return settled(api.post(f"/units/{unit.id}/hazards",
                            as_=as_ or coordinator_of(world, unit),
                            json=hazard_body(unit, **fields)))


def found(api, world, unit=None, **fields) -> dict:
    """A hazard the unit found, created (201); its JSON."""
    response = record(api, world, unit, **fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def order(api, world, unit=None, as_=None, **fields) -> dict:
    """A police order, issued (201); its JSON."""
    unit = unit or world.unit_a
    police = as_ or (world.police_a if unit.id != world.unit_b.id else world.police_b)
    body = {"description": "监控存在盲区", "due_date": day(unit, 14), **fields}
    response = settled(api.post(f"/units/{unit.id}/orders", as_=police, json=body))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def settled(response):
    """The response, once whatever its request left uncommitted is dropped: the requests
    share the test's session, and the next commit there (a token for a new user) would
    commit it for them."""
    db.session.rollback()
    return response


def upload(api, user, hazard_id, data: bytes = PNG, name: str = "现场照片.png"):
    # encoded in memory: the test client would spool a large body to a file nobody closes
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), name)})
    return settled(api.post(f"/hazards/{hazard_id}/evidence", as_=user, data=body,
                            content_type=f"multipart/form-data; boundary={boundary}"))


def evidence(api, world, hazard_id, data: bytes = PNG, name: str = "现场照片.png") -> dict:
    response = upload(api, world.coordinator_a, hazard_id, data, name)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def rectify(api, world, hazard_id, measures="已整改", as_=None, **fields):
    return settled(api.post(f"/hazards/{hazard_id}/rectify", as_=as_ or world.coordinator_a,
                            json={"measures": measures, **fields}))


def verify(api, user, hazard_id, accepted=True, **fields):
    return settled(api.post(f"/hazards/{hazard_id}/verify", as_=user,
                            json={"accepted": accepted, **fields}))


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()]


def steps_of(hazard_id) -> int:
    return db.session.scalar(sa.select(sa.func.count(HazardStep.id)).where(
        HazardStep.hazard_id == hazard_id))


def field_error(response, field, location="json"):
    """A 422 that names `field` under errors.<location>."""
    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert body["code"] == 422
    assert field in body["errors"][location], body["errors"]
    assert body["errors"][location][field]


# Filters and pagination

class Ledger:
    """Hazards of unit A in every state, an order overdue and one not, and one of unit B."""

    def __init__(self, api, world):
        a = world.unit_a
        c = world.coordinator_a
        self.open = found(api, world, severity="low", source="self_inspection")
        self.rectified = found(api, world, severity="medium", source="drill")
        assert rectify(api, world, self.rectified["id"]).status_code == 200
        self.closed = found(api, world, severity="high", source="other",
                            due_date=day(a, -30))
        assert rectify(api, world, self.closed["id"]).status_code == 200
        assert verify(api, c, self.closed["id"]).status_code == 200
        self.late = found(api, world, severity="major", source="supervisor",
                          due_date=day(a, -1))
        self.order_late = order(api, world, due_date=day(a, -1))
        self.order_on_time = order(api, world, due_date=day(a), severity="medium")
        self.to_supervisor = found(api, world, source="police_inspection")
        assert api.post(f"/hazards/{self.to_supervisor['id']}/escalate", as_=c,
                        json={"to": "supervisor", "reason": "需要拨款"}).status_code == 200
        assert api.post(f"/hazards/{self.to_supervisor['id']}/acknowledge",
                        as_=world.supervisor_a, json={}).status_code == 200
        self.to_police = found(api, world, due_date=day(a, -2))
        assert api.post(f"/hazards/{self.to_police['id']}/escalate", as_=c,
                        json={"to": "police", "reason": "需要警力"}).status_code == 200
        self.b = found(api, world, world.unit_b, severity="low", due_date=day(world.unit_b, -5))
        self.a_ids = sorted(h["id"] for h in (
            self.open, self.rectified, self.closed, self.late, self.order_late,
            self.order_on_time, self.to_supervisor, self.to_police))

    def of(self, *names):
        return sorted(getattr(self, name)["id"] for name in names)


@pytest.fixture
def ledger(api, world):
    return Ledger(api, world)


FILTERS = [
    ("status=open", ("open", "late", "order_late", "order_on_time", "to_supervisor",
                     "to_police")),
    ("status=rectified", ("rectified",)),
    ("status=closed", ("closed",)),
    ("overdue=true", ("late", "order_late", "to_police")),
    ("overdue=false", ("open", "rectified", "closed", "order_on_time", "to_supervisor")),
    ("order=true", ("order_late", "order_on_time")),
    ("order=false", ("open", "rectified", "closed", "late", "to_supervisor", "to_police")),
    ("severity=major", ("late",)),
    ("severity=high", ("closed", "order_late")),       # an order's severity defaults to high
    ("source=drill", ("rectified",)),
    ("source=police_inspection", ("order_late", "order_on_time", "to_supervisor")),
    ("escalated_to=supervisor", ("to_supervisor",)),
    ("escalated_to=police", ("to_police",)),
    ("acknowledged=true", ("to_supervisor",)),
    ("acknowledged=false", ("to_police",)),
    ("status=open&order=true&overdue=true", ("order_late",)),
    ("overdue=true&order=false&severity=medium", ("to_police",)),
]


class TestFilters:
    def test_each_filter(self, api, world, ledger, subtests):
        # unit B's hazard (open, low, self-inspection, overdue) shows for the admin only
        b_matches = {"status=open", "overdue=true", "order=false"}
        for query, names in FILTERS:
            with subtests.test(msg=query):
                expected = ledger.of(*names)
                url = f"/units/{world.unit_a.id}/hazards?{query}"
                for user in (world.coordinator_a, world.police_a, world.supervisor_a,
                             world.admin):
                    assert ids(api.get(url, as_=user)) == expected, user.username
                extra = [ledger.b["id"]] if query in b_matches else []
                assert ids(api.get(f"/hazards?{query}", as_=world.admin)) == sorted(
                    expected + extra)
                assert ids(api.get(f"/hazards?{query}", as_=world.police_a)) == expected
                assert ids(api.get(f"/hazards?{query}&unit_id={world.unit_a.id}",
                                   as_=world.admin)) == expected

    def test_no_filter_lists_everything_ascending(self, api, world, ledger):
        assert ids(api.get(f"/units/{world.unit_a.id}/hazards", as_=world.police_a)) \
            == ledger.a_ids
        everything = ids(api.get("/hazards", as_=world.admin))
        assert everything == sorted(ledger.a_ids + [ledger.b["id"]])
        assert ids(api.get(f"/hazards?unit_id={world.unit_b.id}", as_=world.admin)) \
            == [ledger.b["id"]]
        assert ids(api.get(f"/hazards?unit_id={world.unit_b.id}", as_=world.police_a)) == []
        assert ids(api.get(f"/units/{world.unit_b.id}/hazards?overdue=true",
                           as_=world.police_b)) == [ledger.b["id"]]

    def test_listed_hazards_carry_overdue_and_penalty(self, api, world, ledger):
        rows = {h["id"]: h for h in api.get(f"/units/{world.unit_a.id}/hazards",
                                            as_=world.coordinator_a).get_json()}
        assert {i for i, h in rows.items() if h["overdue"]} == set(
            ledger.of("late", "order_late", "to_police"))
        assert {i for i, h in rows.items() if h["penalty"]} == set(ledger.of("order_late"))
        assert all(h["unit_id"] == world.unit_a.id for h in rows.values())

    def test_pagination(self, api, world, ledger):
        url = f"/units/{world.unit_a.id}/hazards"
        first = api.get(f"{url}?page_size=3", as_=world.coordinator_a)
        meta = json.loads(first.headers["X-Pagination"])
        assert (meta["total"], meta["total_pages"], meta["page"]) == (8, 3, 1)
        assert ids(first) == ledger.a_ids[:3]
        last = api.get(f"{url}?page_size=3&page=3", as_=world.coordinator_a)
        assert ids(last) == ledger.a_ids[6:]
        assert json.loads(last.headers["X-Pagination"])["page"] == 3
        past = api.get(f"{url}?page_size=3&page=4", as_=world.coordinator_a)
        assert past.status_code == 200 and past.get_json() == []
        filtered = api.get(f"{url}?status=open&page_size=2&page=2", as_=world.coordinator_a)
        assert json.loads(filtered.headers["X-Pagination"])["total"] == 6
        assert ids(filtered) == ledger.of("open", "late", "order_late", "order_on_time",
                                          "to_supervisor", "to_police")[2:4]
        across = api.get("/hazards?page_size=4&page=3", as_=world.admin)
        assert json.loads(across.headers["X-Pagination"])["total"] == 9
        assert ids(across) == [ledger.b["id"]]

    INVALID = [
        ("unit", "status=pending", "status"),
        ("unit", "status=OPEN", "status"),
        ("unit", "overdue=maybe", "overdue"),
        ("unit", "order=x", "order"),
        ("unit", "severity=critical", "severity"),
        ("unit", "source=audit", "source"),
        ("unit", "escalated_to=admin", "escalated_to"),
        ("unit", "acknowledged=later", "acknowledged"),
        ("unit", "page_size=501", "page_size"),
        ("unit", "page=0", "page"),
        ("all", "status=reopened", "status"),
        ("all", "overdue=2", "overdue"),
        ("all", "order=orders", "order"),
        ("all", "severity=", "severity"),
        ("all", "source=police", "source"),
        ("all", "escalated_to=coordinator", "escalated_to"),
        ("all", "acknowledged=perhaps", "acknowledged"),
        ("all", "unit_id=abc", "unit_id"),
        ("all", "unit_id=0", "unit_id"),
        ("all", "unit_id=99999999999", "unit_id"),
        ("all", "page_size=0", "page_size"),
    ]
    def test_invalid_values_are_422_on_the_query_field(self, api, world, subtests):
        for path, query, field in self.INVALID:
            with subtests.test(msg=f"{path} {query}"):
                base = f"/units/{world.unit_a.id}/hazards" if path == "unit" else "/hazards"
                field_error(api.get(f"{base}?{query}", as_=world.police_a), field, "query")


# Validation

class TestValidation:
    def test_each_required_field(self, api, world, subtests):
        for field in ("description", "severity", "source", "owner", "due_date"):
            with subtests.test(msg=field):
                body = hazard_body(world.unit_a)
                del body[field]
                response = api.post(f"/units/{world.unit_a.id}/hazards",
                                    as_=world.coordinator_a, json=body)
                field_error(response, field)
                assert set(response.get_json()["errors"]["json"]) == {field}
        assert db.session.scalar(sa.select(sa.func.count(Hazard.id))) == 0
        # all of them missing: each named
        response = api.post(f"/units/{world.unit_a.id}/hazards", as_=world.coordinator_a,
                            json={})
        assert set(response.get_json()["errors"]["json"]) == {
            "description", "severity", "source", "owner", "due_date"}

    INVALID = [
        ("severity", "critical"), ("severity", "HIGH"), ("severity", None), ("severity", 3),
        ("source", "audit"), ("source", ""), ("source", ["drill"]),
        ("due_date", "2027/01/05"), ("due_date", "tomorrow"), ("due_date", "2027-02-30"),
        ("due_date", "2027-01-05T09:00:00+08:00"), ("due_date", 20270105),
        ("due_date", None), ("due_date", ""),
        ("description", ""), ("description", "   "), ("description", "x" * 4001),
        ("description", "坏\x00了"), ("description", 5),
        ("owner", ""), ("owner", "王" * 101), ("location", "门" * 201),
        ("key_part_id", "1"), ("key_part_id", 0), ("key_part_id", -1),
        ("key_part_id", 2**31), ("key_part_id", True),
    ]

    def test_invalid_values(self, api, world, subtests):
        for field, value in self.INVALID:
            with subtests.test(msg=f"{field}={value!r:.30}"):
                field_error(record(api, world, **{field: value}), field)
        assert db.session.scalar(sa.select(sa.func.count(Hazard.id))) == 0

    def test_unknown_or_read_only_fields(self, api, world, subtests):
        for field in ("foo", "status", "order", "legal_basis", "unit_id", "id", "overdue",
                      "penalty", "measures", "escalated_to", "evidence", "created_by",
                      "history"):
            with subtests.test(msg=field):
                field_error(record(api, world, **{field: "x"}), field)
        assert db.session.scalar(sa.select(sa.func.count(Hazard.id))) == 0

    def test_key_part_of_the_unit_only(self, api, world):
        field_error(record(api, world, key_part_id=world.key_part_b.id), "key_part_id")
        field_error(record(api, world, key_part_id=987654), "key_part_id")
        mine = found(api, world, key_part_id=world.key_part_a.id)
        assert mine["key_part_id"] == world.key_part_a.id
        patched = api.patch(f"/hazards/{mine['id']}", as_=world.coordinator_a,
                            json={"key_part_id": world.key_part_b.id})
        field_error(patched, "key_part_id")
        cleared = api.patch(f"/hazards/{mine['id']}", as_=world.coordinator_a,
                            json={"key_part_id": None})
        assert cleared.status_code == 200 and cleared.get_json()["key_part_id"] is None
        assert db.session.get(Hazard, mine["id"]).key_part_id is None
        # an order may name a key part of the unit, not another's
        o = order(api, world)
        field_error(api.patch(f"/hazards/{o['id']}", as_=world.coordinator_a,
                              json={"key_part_id": world.key_part_b.id}), "key_part_id")

    def test_dates_in_the_past_are_allowed(self, api, world):
        created = found(api, world, due_date="2020-02-29")
        assert created["due_date"] == "2020-02-29" and created["overdue"] is True

    def test_chinese_text_round_trips(self, api, world):
        text = {"description": "东校区围墙（约 3 米）破损；夜间易翻越——需更换为 2.5 米铁艺围栏。",
                "owner": "欧阳·娜娜", "location": "东校区·北门岗亭旁"}
        created = record(api, world, **text)
        assert created.status_code == 201
        raw = created.get_data(as_text=True)
        assert text["description"] in raw and "\\u" not in raw
        assert created.headers["Content-Type"].startswith("application/json")
        read = api.get(f"/hazards/{created.get_json()['id']}", as_=world.police_a).get_json()
        assert {k: read[k] for k in text} == text
        measures = "已更换围栏，并加装红外对射报警器（联网）。"
        rectified = rectify(api, world, read["id"], measures)
        assert rectified.get_json()["measures"] == measures
        assert rectified.get_json()["history"][-1]["comment"] == measures

    def test_text_is_trimmed(self, api, world):
        created = found(api, world, description="  东门围栏破损  ", owner=" 王五 ")
        assert (created["description"], created["owner"]) == ("东门围栏破损", "王五")

    def test_body_must_be_json(self, api, world):
        url = f"/units/{world.unit_a.id}/hazards"
        as_text = api.post(url, as_=world.coordinator_a, data="description=x",
                           content_type="text/plain")
        assert as_text.status_code == 415
        malformed = api.post(url, as_=world.coordinator_a, data="{not json",
                             content_type="application/json")
        assert malformed.status_code in (400, 422)
        assert malformed.get_json()["code"] == malformed.status_code
        not_object = api.post(url, as_=world.coordinator_a, json=["description"])
        assert not_object.status_code == 422

    ORDER_BODIES = [
        ({"due_date": "2027-01-05"}, "description"),
        ({"description": "监控盲区"}, "due_date"),
        ({"description": "监控盲区", "due_date": "2027-01-05", "source": "police_inspection"},
         "source"),
        ({"description": "监控盲区", "due_date": "2027-01-05", "order": False}, "order"),
        ({"description": "监控盲区", "due_date": "2027-01-05", "status": "closed"}, "status"),
        ({"description": "监控盲区", "due_date": "2027-01-05", "severity": "urgent"},
         "severity"),
        ({"description": "监控盲区", "due_date": "01/05/2027"}, "due_date"),
        ({"description": "监控盲区", "due_date": "2027-01-05", "legal_basis": "法" * 501},
         "legal_basis"),
    ]

    def test_order_body(self, api, world, subtests):
        for body, field in self.ORDER_BODIES:
            with subtests.test(msg=f"{field}: {body}"):
                field_error(api.post(f"/units/{world.unit_a.id}/orders", as_=world.police_a,
                                     json=body), field)
        assert db.session.scalar(sa.select(sa.func.count(Hazard.id))) == 0

    STEP_BODIES = [
        ("rectify", {}, "measures"),
        ("rectify", {"measures": " "}, "measures"),
        ("rectify", {"measures": "已修", "evidence_ids": "1"}, "evidence_ids"),
        ("rectify", {"measures": "已修", "evidence_ids": [0]}, "evidence_ids"),
        ("rectify", {"measures": "已修", "evidence_ids": ["x"]}, "evidence_ids"),
        ("rectify", {"measures": "已修", "status": "closed"}, "status"),
        ("verify", {}, "accepted"),
        ("verify", {"accepted": "maybe"}, "accepted"),
        ("verify", {"accepted": None}, "accepted"),
        ("verify", {"accepted": True, "comment": "x" * 4001}, "comment"),
        ("verify", {"accepted": True, "status": "closed"}, "status"),
        ("escalate", {"reason": "无力整改"}, "to"),
        ("escalate", {"to": "admin", "reason": "无力整改"}, "to"),
        ("escalate", {"to": "coordinator", "reason": "无力整改"}, "to"),
        ("escalate", {"to": "police"}, "reason"),
        ("escalate", {"to": "police", "reason": ""}, "reason"),
        ("acknowledge", {"comment": 5}, "comment"),
        ("acknowledge", {"by": "supervisor_a"}, "by"),
    ]

    def test_step_bodies(self, api, world, subtests):
        # an open hazard to rectify and escalate, a rectified one to verify, one escalated
        # to the supervisor to acknowledge: each stays as it was
        hazards = {"rectify": found(api, world), "escalate": found(api, world),
                   "verify": found(api, world), "acknowledge": found(api, world)}
        assert rectify(api, world, hazards["verify"]["id"]).status_code == 200
        assert api.post(f"/hazards/{hazards['acknowledge']['id']}/escalate",
                        as_=world.coordinator_a,
                        json={"to": "supervisor", "reason": "需要拨款"}).status_code == 200
        before = {path: api.get(f"/hazards/{h['id']}", as_=world.admin).get_json()
                  for path, h in hazards.items()}
        for path, body, field in self.STEP_BODIES:
            with subtests.test(msg=f"{path} {body}"):
                user = world.supervisor_a if path == "acknowledge" else world.coordinator_a
                hazard_id = hazards[path]["id"]
                field_error(api.post(f"/hazards/{hazard_id}/{path}", as_=user, json=body),
                            field)
        for path, h in hazards.items():
            assert api.get(f"/hazards/{h['id']}", as_=world.admin).get_json() == before[path]

    PATCH_BODIES = [
        ({"description": ""}, "description"), ({"severity": "worst"}, "severity"),
        ({"source": "rumour"}, "source"), ({"due_date": "soon"}, "due_date"),
        ({"due_date": None}, "due_date"), ({"owner": ""}, "owner"),
        ({"status": "closed"}, "status"), ({"order": True}, "order"),
        ({"unit_id": 1}, "unit_id"), ({"rectified_by": "me"}, "rectified_by"),
        ({"key_part_id": "1"}, "key_part_id"), ({"location": "门" * 201}, "location"),
    ]

    def test_patch_body(self, api, world, subtests):
        hazard = found(api, world)
        for body, field in self.PATCH_BODIES:
            with subtests.test(msg=str(body)):
                field_error(api.patch(f"/hazards/{hazard['id']}", as_=world.coordinator_a,
                                      json=body), field)
        assert api.get(f"/hazards/{hazard['id']}", as_=world.coordinator_a).get_json() \
            == hazard

    def test_unknown_hazard_is_404(self, api, world):
        for hazard_id in ("987654", "0", "99999999999"):
            assert api.get(f"/hazards/{hazard_id}", as_=world.admin).status_code == 404
            assert rectify(api, world, hazard_id).status_code == 404
            assert api.post(f"/units/{hazard_id}/orders", as_=world.police_a, json={
                "description": "x", "due_date": "2027-01-05"}).status_code == 404


# Evidence

class TestEvidence:
    def test_upload_list_and_download(self, api, world):
        hazard = found(api, world)
        photo = upload(api, world.coordinator_a, hazard["id"], PNG, "围栏破损.png")
        assert photo.status_code == 201, photo.get_json()
        photo = photo.get_json()
        assert {k: photo[k] for k in ("filename", "size", "sha256", "content_type")} == {
            "filename": "围栏破损.png", "size": len(PNG),
            "sha256": hashlib.sha256(PNG).hexdigest(), "content_type": "image/png"}
        report = evidence(api, world, hazard["id"], PDF, "整改报告.pdf")
        assert report["content_type"] == "application/pdf"

        read = api.get(f"/hazards/{hazard['id']}", as_=world.police_a).get_json()
        assert [e["id"] for e in read["evidence"]] == [photo["id"], report["id"]]
        assert read["evidence"][0]["filename"] == "围栏破损.png"
        assert [(s["action"], s["attachment_ids"], s["comment"])
                for s in read["history"][1:]] == [
            ("evidence", [photo["id"]], "围栏破损.png"),
            ("evidence", [report["id"]], "整改报告.pdf")]
        listed = api.get(f"/units/{world.unit_a.id}/hazards", as_=world.supervisor_a)
        assert [e["id"] for e in listed.get_json()[0]["evidence"]] == [photo["id"],
                                                                       report["id"]]
        across = api.get("/hazards", as_=world.police_a).get_json()
        assert [e["id"] for e in across[0]["evidence"]] == [photo["id"], report["id"]]

        db.session.rollback()   # committed, not only in the test's session
        assert db.session.scalars(sa.select(Attachment.id).where(
            Attachment.entity == "hazard", Attachment.entity_id == hazard["id"])).all() == [
            photo["id"], report["id"]]
        for user in (world.coordinator_a, world.police_a, world.supervisor_a, world.admin):
            download = api.get(f"/attachments/{photo['id']}", as_=user, buffered=True)
            assert download.status_code == 200, user.username
            assert download.data == PNG and download.mimetype == "image/png"
        pdf = api.get(f"/attachments/{report['id']}", as_=world.police_a, buffered=True)
        assert pdf.data == PDF
        # outside the scope, and staff (who may not read hazards), do not see it at all
        for user in (world.coordinator_b, world.police_b, world.staff_a):
            refused = api.get(f"/attachments/{photo['id']}", as_=user, buffered=True)
            assert refused.status_code == 404, user.username
        other_supervisor = api.get(f"/attachments/{photo['id']}", as_=world.supervisor_a,
                                   buffered=True)
        assert other_supervisor.status_code == 200

    def test_evidence_of_an_order_is_the_units(self, api, world):
        o = order(api, world)
        proof = evidence(api, world, o["id"], PDF, "整改情况.pdf")
        assert upload(api, world.police_a, o["id"]).status_code == 403
        download = api.get(f"/attachments/{proof['id']}", as_=world.police_a, buffered=True)
        assert download.status_code == 200 and download.data == PDF

    def test_other_content_is_415(self, api, world):
        hazard = found(api, world)
        for data, name in ((b"just text, not a photo\n", "照片.png"),
                           (b"GIF89a\x01\x00\x01\x00", "照片.png"),
                           (b"MZ\x90\x00\x03\x00", "evidence.pdf"), (b"", "空.png")):
            response = upload(api, world.coordinator_a, hazard["id"], data, name)
            assert response.status_code == 415, name
            assert response.get_json()["code"] == 415 and response.get_json()["message"]
        assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
        assert steps_of(hazard["id"]) == 1

    def test_larger_than_20_mib_is_413(self, api, world):
        hazard = found(api, world)
        for size in (MAX_SIZE + 1, 26 * 1024 * 1024):   # refused by the store, by the app
            data = PDF + b"0" * (size - len(PDF))
            response = upload(api, world.coordinator_a, hazard["id"], data, "太大.pdf")
            assert response.status_code == 413, size
            body = response.get_json()
            assert body["code"] == 413 and body["message"]
            assert set(body) <= {"code", "status", "message", "errors"}
        assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
        assert steps_of(hazard["id"]) == 1

    def test_missing_file_is_422(self, api, world):
        hazard = found(api, world)
        response = api.post(f"/hazards/{hazard['id']}/evidence", as_=world.coordinator_a,
                            data={"other": "x"}, content_type="multipart/form-data")
        assert response.status_code == 422
        assert "file" in str(response.get_json()["errors"])


# Statements per list

@pytest.fixture
def coordinators(world, make):
    """The coordinator of each unit of the world, by unit id."""
    return {world.unit_a.id: world.coordinator_a,
            world.other_unit_a.id: make.user("coordinator", "coordinator_same",
                                             unit_id=world.other_unit_a.id),
            world.unit_b.id: world.coordinator_b}


def _fill(world, coordinators, per_unit: int, units=()) -> dict[int, list[int]]:
    """`per_unit` hazards in each unit of the world and one in each of `units`, straight
    through the service, each with a piece of evidence: every other one an order, some
    overdue, some escalated to the police. The first of each unit is an overdue hazard
    escalated to the police."""
    from tests.hazards.test_scope import _png
    made = {}
    plan = [(world.unit_a, per_unit), (world.other_unit_a, per_unit),
            (world.unit_b, per_unit)] + [(unit, 1) for unit in units]
    for unit, count in plan:
        coordinator = coordinators[unit.id]
        police = world.police_b if unit.id == world.unit_b.id else world.police_a
        for i in range(count):
            due = today_in(unit) + timedelta(days=-1 if i % 4 in (0, 1) else 5)
            if i % 2:
                hazard = service.issue_order(police, unit, {"description": f"责令 {i}",
                                                            "due_date": due})
            else:
                hazard = service.create_hazard(coordinator, unit, {
                    "description": f"隐患 {i}", "severity": "low", "source": "drill",
                    "owner": "王五", "due_date": due})
            service.add_evidence(coordinator, hazard, _png(f"照片{i}.png"))
            if i % 3 == 0:
                service.escalate(coordinator, hazard, "police", "需要警力")
            made.setdefault(unit.id, []).append(hazard.id)
    db.session.commit()
    return made


def _empty() -> None:
    db.session.execute(sa.delete(Attachment))
    db.session.execute(sa.delete(HazardStep))
    db.session.execute(sa.delete(Hazard))
    db.session.commit()


class TestQueries:
    @pytest.mark.parametrize(("url", "rows_of_30"), [
        ("/units/{unit}/hazards", 8),
        ("/units/{unit}/hazards?overdue=true", 4),
        ("/hazards", 30),
        ("/hazards?overdue=true&escalated_to=police", 9),
    ])
    def test_lists_are_not_n_plus_one(self, api, world, make, coordinators, url, rows_of_30):
        """3 hazards over 3 units, then 30 over 9: the same number of statements."""
        url = url.replace("{unit}", str(world.unit_a.id))
        users = (world.admin, world.police_a, world.supervisor_a, world.coordinator_a)

        def statements(user):
            headers = api.headers(user)
            db.session.expire_all()
            with count_queries() as n:
                response = api.get(url, headers=headers)
                assert response.status_code == 200
            return n(), len(response.get_json())

        _fill(world, coordinators, 1)
        few = {user.username: statements(user) for user in users}
        _empty()
        more = [make.unit(world.station_a, name=f"单位{i}",
                          category=("school", "hospital")[i % 2]) for i in range(6)]
        for unit in more:
            coordinators[unit.id] = make.user("coordinator", unit_id=unit.id)
        _fill(world, coordinators, 8, more)
        many = {user.username: statements(user) for user in users}
        assert many["admin"][1] == rows_of_30 and few["admin"][1] <= 3
        for name in few:
            assert few[name][1] >= 1, (name, few[name])
            assert many[name][1] >= few[name][1], (name, few[name], many[name])
            assert many[name][0] == few[name][0], (name, few[name], many[name])

    def test_one_hazard_reads_in_a_few_statements(self, api, world, coordinators):
        first = _fill(world, coordinators, 1)[world.unit_a.id][0]
        headers = api.headers(world.police_a)
        db.session.expire_all()
        with count_queries() as n:
            assert api.get(f"/hazards/{first}", headers=headers).status_code == 200
        few = n()
        for _ in range(5):
            rectify(api, world, first)
            verify(api, world.coordinator_a, first, accepted=False)
        db.session.expire_all()
        with count_queries() as n:
            read = api.get(f"/hazards/{first}", headers=headers)
        assert len(read.get_json()["history"]) == 13
        assert n() == few
