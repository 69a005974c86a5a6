"""Error shapes, media types, UTF-8, pagination, and bad input never answering 5xx
(API.md "Conventions")."""
import json

import pytest

from anbao.extensions import db
from tests.conftest import PASSWORD

JSON_TYPE = "application/json; charset=utf-8"
STATUS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
          405: "Method Not Allowed", 409: "Conflict", 412: "Precondition Failed",
          413: "Request Entity Too Large", 415: "Unsupported Media Type",
          422: "Unprocessable Entity", 429: "Too Many Requests"}


def assert_error(response, code, *, errors=False):
    assert response.status_code == code, response.get_data(as_text=True)
    assert response.content_type == JSON_TYPE
    body = json.loads(response.get_data())
    assert body["code"] == code
    assert body["status"] == STATUS[code]
    assert isinstance(body["message"], str) and body["message"]
    if errors:
        assert set(body) == {"code", "status", "message", "errors"}
    else:
        assert set(body) == {"code", "status", "message"}
    return body


class TestErrorShapes:
    def test_400_malformed_json(self, world, api):
        response = api.post("/jurisdictions", as_=world.admin, data='{"name": "x",',
                            content_type="application/json")
        assert_error(response, 400)

    @pytest.mark.parametrize("body", [b"\xff\xfe\x00", b"{'single': 'quotes'}", b"nul",
                                      b'{"a": 1} trailing', b"[" * 100_000 + b"]" * 100_000,
                                      b'{"headcount": ' + b"9" * 5000 + b"}"])
    def test_400_unreadable_bodies(self, world, api, body):
        response = api.post("/jurisdictions", as_=world.admin, data=body,
                            content_type="application/json")
        assert_error(response, 400)

    def test_401(self, world, api):
        assert_error(api.get("/units"), 401)
        assert_error(api.post("/units", json={}), 401)

    def test_403(self, world, api):
        assert_error(api.post("/jurisdictions", as_=world.police_a,
                              json={"name": "x", "code": "X"}), 403)

    @pytest.mark.parametrize("path", ["/nothing-here", "/units/987654", "/units/0",
                                      "/units/99999999999999999999999",
                                      "/units/987654/people", "/people/987654",
                                      "/key-parts/987654", "/jurisdictions/987654",
                                      "/units/987654/staffing", "/units/abc"])
    def test_404(self, world, api, path):
        assert_error(api.get(path, as_=world.admin), 404)

    def test_404_without_authentication_on_unknown_path(self, api):
        assert_error(api.get("/nothing-here"), 404)

    def test_405(self, world, api):
        response = api.delete(f"/units/{world.unit_a.id}", as_=world.admin)
        assert_error(response, 405)
        assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "PATCH"}
        assert_error(api.request("PUT", "/me", as_=world.admin, json={}), 405)

    def test_409(self, world, api):
        response = api.post("/jurisdictions", as_=world.admin,
                            json={"name": "重名", "code": "A"})
        assert_error(response, 409)

    def test_412(self, world, api):
        response = api.patch(f"/units/{world.unit_a.id}", as_=world.admin,
                             json={"address": "x"}, headers={"If-Match": '"stale"'})
        assert_error(response, 412)

    def test_413(self, world, api, app, monkeypatch):
        monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
        response = api.post("/jurisdictions", as_=world.admin,
                            json={"name": "大" * 2000, "code": "BIG"})
        assert_error(response, 413)
        assert response.headers.get("Connection") == "close"

    @pytest.mark.parametrize(("content_type", "data"), [
        ("text/plain", '{"name": "x", "code": "X"}'),
        ("application/x-www-form-urlencoded", "name=x&code=X"),
        ("application/xml", "<jurisdiction/>"),
        (None, '{"name": "x", "code": "X"}'),
    ])
    def test_415(self, world, api, content_type, data):
        kwargs = {"content_type": content_type} if content_type else {}
        response = api.post("/jurisdictions", as_=world.admin, data=data, **kwargs)
        assert_error(response, 415)

    def test_json_with_charset_is_accepted(self, world, api):
        response = api.post("/jurisdictions", as_=world.admin,
                            data=json.dumps({"name": "新区", "code": "NEW"}),
                            content_type="application/json; charset=utf-8")
        assert response.status_code == 201

    def test_422_body_fields(self, world, api):
        response = api.post("/units", as_=world.admin, json={"name": "", "category": "farm",
                                                             "unknown_field": 1})
        body = assert_error(response, 422, errors=True)
        fields = body["errors"]["json"]
        assert {"name", "category", "credit_code", "jurisdiction_id", "unknown_field"} <= set(
            fields)
        assert all(isinstance(m, list) and m for m in fields.values())

    @pytest.mark.parametrize(("query", "field"), [("page_size=501", "page_size"),
                                                  ("page=0", "page"), ("page=-1", "page"),
                                                  ("page_size=0", "page_size"),
                                                  ("page=x", "page"),
                                                  ("category=farm", "category"),
                                                  ("key_target=maybe", "key_target"),
                                                  ("jurisdiction_id=x", "jurisdiction_id"),
                                                  ("jurisdiction_id=0", "jurisdiction_id")])
    def test_422_query_fields(self, world, api, query, field):
        response = api.get(f"/units?{query}", as_=world.admin)
        body = assert_error(response, 422, errors=True)
        assert field in body["errors"]["query"]

    @pytest.mark.parametrize("since", ["2026-01-01T00:00:00", "2026-01-01", "yesterday",
                                       "2026-13-01T00:00:00+08:00"])
    def test_date_time_without_offset_is_422(self, world, api, since):
        response = api.get(f"/audit?since={since}", as_=world.admin)
        body = assert_error(response, 422, errors=True)
        assert "since" in body["errors"]["query"]

    def test_date_time_with_offset_is_accepted(self, world, api):
        for since in ("2026-01-01T00:00:00+08:00", "2026-01-01T00:00:00Z"):
            response = api.get("/audit", as_=world.admin, query_string={"since": since})
            assert response.status_code == 200

    def test_422_a_body_that_is_not_an_object(self, world, api):
        for body in ([], "text", 5, None):
            response = api.post("/jurisdictions", as_=world.admin, data=json.dumps(body),
                                content_type="application/json")
            assert response.status_code in (400, 422)
            assert response.status_code < 500

    def test_429(self, world, api):
        for _ in range(10):
            api.post("/auth/token", json={"username": "admin", "password": "wrong-password"})
        response = api.post("/auth/token", json={"username": "admin", "password": PASSWORD})
        assert_error(response, 429)
        assert int(response.headers["Retry-After"]) > 0


    def test_429_of_the_address_rate_limit(self, world, api, app, monkeypatch):
        monkeypatch.setitem(app.config, "AUTH_TOKEN_RATE_LIMIT", "2 per minute")
        for _ in range(2):
            api.post("/auth/token", json={"username": "nobody", "password": "x"})
        response = api.post("/auth/token", json={"username": "admin", "password": PASSWORD})
        assert_error(response, 429)
        assert 0 < int(response.headers["Retry-After"]) <= 60


class TestUtf8:
    def test_chinese_is_sent_as_is(self, world, api):
        response = api.get(f"/units/{world.unit_a.id}", as_=world.admin)
        assert response.content_type == JSON_TYPE
        raw = response.get_data()
        assert "天河实验学校".encode() in raw
        assert b"\\u" not in raw

    def test_chinese_in_lists_and_errors(self, world, api):
        raw = api.get("/units", as_=world.admin).get_data()
        assert "越秀博物馆".encode() in raw and b"\\u" not in raw
        response = api.get("/units/987654", as_=world.admin, headers={"Accept-Language": "zh"})
        assert response.content_type == JSON_TYPE

    def test_chinese_round_trip_escaped_or_not(self, world, api):
        escaped = json.dumps({"name": "海珠区分局", "code": "HZ"}, ensure_ascii=True)
        response = api.post("/jurisdictions", as_=world.admin, data=escaped,
                            content_type="application/json")
        assert response.status_code == 201
        assert "海珠区分局".encode() in response.get_data()


class TestPagination:
    @pytest.fixture
    def units(self, world, make):
        """Twelve units in all (three from the world)."""
        return [make.unit(world.district_b, name=f"单位{n}") for n in range(9)]

    def header(self, response):
        return json.loads(response.headers["X-Pagination"])

    def test_pages(self, world, units, api):
        first = api.get("/units?page_size=5", as_=world.admin)
        assert self.header(first)["total"] == 12
        assert self.header(first)["total_pages"] == 3
        assert self.header(first)["page"] == 1
        ids = [u["id"] for u in first.json]
        third = api.get("/units?page_size=5&page=3", as_=world.admin)
        assert self.header(third)["page"] == 3
        assert len(third.json) == 2
        everything = api.get("/units", as_=world.admin).json
        assert [u["id"] for u in everything] == sorted(u["id"] for u in everything)
        assert ids == [u["id"] for u in everything][:5]
        assert [u["id"] for u in third.json] == [u["id"] for u in everything][10:]

    def test_page_past_the_end_is_empty(self, world, units, api):
        for page in (4, 1000, 10**20):
            response = api.get(f"/units?page_size=5&page={page}", as_=world.admin)
            assert response.status_code == 200
            assert response.json == []
            header = self.header(response)
            assert (header["total"], header["total_pages"], header["page"]) == (12, 3, page)

    def test_empty_list_has_the_header_too(self, world, api):
        response = api.get("/units?q=不存在", as_=world.admin)
        assert response.json == []
        header = self.header(response)
        assert (header["total"], header["total_pages"], header["page"]) == (0, 0, 1)

    def test_default_page_size_is_50(self, world, make, api):
        for n in range(52):
            make.jurisdiction(f"派出所{n}", parent=world.district_b)
        response = api.get("/jurisdictions", as_=world.admin)
        assert len(response.json) == 50
        assert self.header(response) == {**self.header(response), "total": 56,
                                         "total_pages": 2, "page": 1}
        assert len(api.get("/jurisdictions?page_size=500", as_=world.admin).json) == 56

    @pytest.mark.parametrize("path", ["/units", "/jurisdictions", "/users", "/audit",
                                      "/units/{unit}/people", "/units/{unit}/key-parts"])
    def test_every_list_is_paginated_in_ascending_ids(self, world, api, path):
        response = api.get(path.format(unit=world.unit_a.id) + "?page_size=500",
                           as_=world.admin)
        assert response.status_code == 200
        header = self.header(response)
        assert {"total", "total_pages", "page"} <= set(header)
        ids = [item["id"] for item in response.json]
        assert ids == sorted(ids) and header["total"] == len(ids)


# Fuzz-ish: wrong types for every field must answer 422 naming the field, never 5xx.

WRONG_VALUES = [
    "text", "", " ", "大" * 10_000, "\x00", "\ud800", "😀" * 50, "<script>alert(1)</script>",
    "' OR 1=1 --", 10**30, -(10**30), 2**31, 2**40, -1, 0, 1.5, float("inf"), True, False,
    None, [], [1],
    {}, {"a": 1}, ["x"] * 1000,
]


def _dump(value):
    # json.dumps refuses lone surrogates in ensure_ascii=False mode; escaped they pass
    return json.dumps(value, ensure_ascii=True)


ENDPOINTS = {
    "POST /jurisdictions": lambda w, m: {"name": "新区", "code": "NEWCODE",
                                         "parent_id": w.city.id},
    "POST /units": lambda w, m: {
        "name": "新单位", "credit_code": m.credit_code(), "category": "school",
        "jurisdiction_id": w.district_a.id, "address": "天河路1号", "headcount": 10,
        "key_security_unit": True, "key_target": False, "key_since": "2024-01-01",
        "responsible_person": "张三", "timezone": "Asia/Shanghai",
        "campuses": [{"name": "本部", "population": 10, "boarding_students": 0}]},
    "PATCH /units/{unit}": lambda w, m: {
        "name": "改名", "address": "新地址", "headcount": 20, "responsible_person": "李四",
        "hospital": {"medical_staff": 1, "beds": 1, "daily_outpatients": 1}},
    "POST /units/{unit}/people": lambda w, m: {
        "name": "新人", "role": "guard", "guard_certificate_no": "粤0001",
        "phone": "13800000000", "email": "a@example.cn", "left_on": "2030-01-01"},
    "POST /units/{unit}/key-parts": lambda w, m: {
        "name": "大门", "kind": "entrance", "video_linked": True, "video_retention_days": 90,
        "barriers": "道闸", "patrol_per_day": 4},
    "POST /users": lambda w, m: {"username": "fuzzed", "password": PASSWORD,
                                 "role": "staff", "unit_id": w.unit_a.id,
                                 "display_name": "新人", "email": "n@example.cn"},
    "POST /auth/token": lambda w, m: {"username": "admin", "password": PASSWORD},
}

@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_fuzz_wrong_types_never_5xx(world, make, api, endpoint):
    """Each field in turn gets every wrong value; the answer is 422 naming it, or (for a
    value that happens to be valid, like "" for an optional text) a success."""
    method, template = endpoint.split()
    path = template.format(unit=world.other_unit_a.id)
    user = None if endpoint == "POST /auth/token" else world.admin
    valid = ENDPOINTS[endpoint](world, make)
    for field in valid:
        for value in WRONG_VALUES:
            body = {**ENDPOINTS[endpoint](world, make), field: value}
            if endpoint == "POST /units" and field == "category" and value != "school":
                body.pop("campuses")
            response = api.request(method, path, as_=user, data=_dump(body),
                                   content_type="application/json")
            status = response.status_code
            assert status < 500, (field, value, response.get_data(as_text=True))
            assert status in (200, 201, 401, 409, 422), (field, value, status)
            if status == 422:
                errors = response.json["errors"]["json"]
                assert field in errors, (field, value, errors)
            db.session.rollback()


@pytest.mark.parametrize("query", [
    "q=%00", "q=" + "x" * 5000, "q=%F0%9F%98%80", "q=%ED%A0%80", "page=99999999999999999999",
    "page_size=99999999999999999999", "jurisdiction_id=99999999999999999999",
    "jurisdiction_id=-5", "jurisdiction_id=2147483648", "key_target=%00", "category=%00",
    "q[]=1", "q=1&q=2",
])
def test_fuzz_query_strings_never_5xx(world, api, query):
    response = api.get(f"/units?{query}", as_=world.police_a)
    assert response.status_code in (200, 422), response.get_data(as_text=True)


def test_fuzz_path_ids_never_5xx(world, api):
    for path in ("/units/{}", "/people/{}", "/key-parts/{}", "/units/{}/staffing",
                 "/units/{}/people", "/jurisdictions/{}"):
        for ident in ("0", "-1", "9" * 30, "2147483648", str(2**40), "1e3", "%00", "x"):
            response = api.get(path.format(ident), as_=world.admin)
            assert response.status_code == 404, (path, ident)
            response = api.patch(path.format(ident), as_=world.admin, json={})
            assert response.status_code in (404, 405), (path, ident)


def test_multipart_body_to_a_json_endpoint_is_415(world, api):
    response = api.patch(f"/units/{world.unit_a.id}", as_=world.coordinator_a,
                         data={"name": "改名"}, content_type="multipart/form-data")
    assert response.status_code == 415
    assert api.get(f"/units/{world.unit_a.id}", as_=world.admin).json["name"] == "天河实验学校"


@pytest.mark.parametrize("language, expected", [
    (None, "此项为必填项。"), ("zh-CN,zh;q=0.9", "此项为必填项。"),
    ("en-US,en;q=0.8", "This field is required.")])
def test_validation_messages_follow_the_requested_language(world, api, language, expected):
    headers = {"Accept-Language": language} if language else {}
    response = api.post(f"/units/{world.unit_a.id}/people", as_=world.coordinator_a,
                        json={"role": "guard"}, headers=headers)
    assert response.status_code == 422
    assert response.json["errors"]["json"]["name"] == [expected]


def test_list_errors_mixing_item_and_list_messages_are_json(world, api):
    body = {"scenario": "accident", "level": "onsite", "title": "预案",
            "equipment_ids": [1, 2.5, "AAA", None, False] * 3}
    response = api.post(f"/units/{world.unit_a.id}/plans", as_=world.coordinator_a, json=body)
    assert response.status_code == 422
    assert "equipment_ids" in response.json["errors"]["json"]
