"""Jurisdictions, units, people, key parts and staffing through /api/v1 (API.md)."""
import json
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from anbao.extensions import db
from tests.conftest import count_queries
from units import creditcode
from units.models import KeyPart, Person, Unit


def today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def errors_of(response) -> dict:
    assert response.status_code == 422, response.get_json()
    return response.json["errors"]["json"]


@contextmanager
def changed_meanwhile(model, ident):
    """Another request changes the row between our read and our write (its version moves)."""
    def bump(mapper, connection, target):
        if target.id == ident:
            with db.engine.connect() as other:
                other.execute(sa.update(model.__table__).where(model.__table__.c.id == ident)
                              .values(version=model.__table__.c.version + 1))
                other.commit()

    sa.event.listen(model, "before_update", bump)
    try:
        yield
    finally:
        sa.event.remove(model, "before_update", bump)


def new_unit(make, world, **fields):
    return {"name": "珠江新城小学", "credit_code": make.credit_code(), "category": "school",
            "jurisdiction_id": world.station_a.id, **fields}


class TestJurisdictions:
    def test_life(self, world, api):
        created = api.post("/jurisdictions", as_=world.admin,
                           json={"name": "猎德派出所", "code": "A2",
                                 "parent_id": world.district_a.id})
        assert created.status_code == 201
        assert set(created.json) == {"id", "name", "code", "parent_id"}
        assert created.json["name"] == "猎德派出所"
        assert created.json["parent_id"] == world.district_a.id
        assert created.headers["ETag"]
        read = api.get(f"/jurisdictions/{created.json['id']}", as_=world.police_a)
        assert read.status_code == 200
        assert read.json == created.json
        assert read.headers["ETag"] == created.headers["ETag"]
        # the new station is in district A's police scope at once, not in B's
        assert api.get(f"/jurisdictions/{created.json['id']}",
                       as_=world.police_b).status_code == 404
        conflict = api.post("/jurisdictions", as_=world.admin,
                            json={"name": "另一个", "code": "A2"})
        assert conflict.status_code == 409

    def test_root_jurisdiction(self, world, api):
        created = api.post("/jurisdictions", as_=world.admin, json={"name": "深圳市公安局",
                                                                    "code": "SZ"})
        assert created.status_code == 201
        assert created.json["parent_id"] is None

    @pytest.mark.parametrize(("body", "field"), [
        ({"name": "x", "code": "NEW", "parent_id": 987654}, "parent_id"),
        ({"name": "", "code": "NEW"}, "name"),
        ({"name": "x", "code": "有空格 的"}, "code"),
        ({"name": "x"}, "code"),
        ({"code": "NEW"}, "name"),
    ])
    def test_invalid(self, world, api, body, field):
        assert field in errors_of(api.post("/jurisdictions", as_=world.admin, json=body))

    def test_filter_by_parent(self, world, api):
        response = api.get(f"/jurisdictions?parent_id={world.city.id}", as_=world.admin)
        assert [j["id"] for j in response.json] == [world.district_a.id, world.district_b.id]


class TestUnits:
    def test_life(self, world, make, api):
        body = new_unit(make, world, address="天河区珠江新城", headcount=900,
                        responsible_person="陈校长",
                        campuses=[{"name": "本部", "population": 900, "boarding_students": 0}])
        created = api.post("/units", as_=world.police_a, json=body)
        assert created.status_code == 201, created.json
        unit = created.json
        assert unit["name"] == "珠江新城小学"
        assert unit["timezone"] == "Asia/Shanghai"
        assert unit["key_target"] is False and unit["key_security_unit"] is False
        assert unit["key_since"] is None
        assert unit["campuses"] == [{"name": "本部", "population": 900,
                                     "boarding_students": 0}]
        assert unit["hospital"] is None
        etag = created.headers["ETag"]

        read = api.get(f"/units/{unit['id']}", as_=world.police_a)
        assert read.status_code == 200
        assert read.json == unit
        assert read.headers["ETag"] == etag

        updated = api.patch(f"/units/{unit['id']}", as_=world.police_a,
                            json={"headcount": 950}, headers={"If-Match": etag})
        assert updated.status_code == 200
        assert updated.json["headcount"] == 950
        assert updated.headers["ETag"] != etag
        assert api.get(f"/units/{unit['id']}", as_=world.admin).headers["ETag"] == \
            updated.headers["ETag"]

        stale = api.patch(f"/units/{unit['id']}", as_=world.police_a,
                          json={"headcount": 1}, headers={"If-Match": etag})
        assert stale.status_code == 412
        assert api.get(f"/units/{unit['id']}", as_=world.admin).json["headcount"] == 950

        conflict = api.patch(f"/units/{unit['id']}", as_=world.police_a,
                             json={"credit_code": world.unit_b.credit_code})
        assert conflict.status_code == 409
        duplicate = api.post("/units", as_=world.admin,
                             json={**body, "name": "另一个", "campuses": []})
        assert duplicate.status_code == 409
        with changed_meanwhile(Unit, unit["id"]):
            concurrent = api.patch(f"/units/{unit['id']}", as_=world.police_a,
                                   json={"headcount": 2})
        assert concurrent.status_code == 409
        assert api.get(f"/units/{unit['id']}", as_=world.admin).json["headcount"] == 950

    @pytest.mark.parametrize("if_match", ["*", 'W/{etag}', '"other", {etag}'])
    def test_if_match_forms(self, world, api, if_match):
        path = f"/units/{world.unit_b.id}"
        etag = api.get(path, as_=world.admin).headers["ETag"]
        response = api.patch(path, as_=world.admin, json={"address": "越秀路1号"},
                             headers={"If-Match": if_match.format(etag=etag)})
        assert response.status_code == 200

    def test_patch_without_if_match(self, world, api):
        response = api.patch(f"/units/{world.unit_b.id}", as_=world.admin,
                             json={"address": "越秀路2号"})
        assert response.status_code == 200
        assert response.json["address"] == "越秀路2号"

    def test_patch_keeps_what_is_not_given(self, world, api):
        before = api.get(f"/units/{world.unit_a.id}", as_=world.admin).json
        after = api.patch(f"/units/{world.unit_a.id}", as_=world.admin,
                          json={"address": "新地址"}).json
        assert after == {**before, "address": "新地址"}

    # credit codes

    def test_valid_credit_code_lower_case_is_normalised(self, world, make, api):
        code = creditcode.make("91440101MA59ABCDE")
        response = api.post("/units", as_=world.admin,
                            json=new_unit(make, world, credit_code=f"  {code.lower()} "))
        assert response.status_code == 201, response.json
        assert response.json["credit_code"] == code
        again = api.post("/units", as_=world.admin, json=new_unit(make, world, credit_code=code))
        assert again.status_code == 409

    @pytest.mark.parametrize(("code", "reason"), [
        ("91440101000000001", "18"),                      # too short
        ("91440101000000001MX", "18"),                    # too long
        ("91440101000000001A", "check"),                  # wrong check character
        ("91440101O00000001M", "character"),              # O is not used
        ("B1440101000000001M", "first"),                  # unknown authority
        ("9144A101000000001M", "digits"),                 # division code not digits
        ("", "18"),
    ])
    def test_invalid_credit_code(self, world, make, api, code, reason):
        response = api.post("/units", as_=world.admin, headers={"Accept-Language": "en"},
                            json=new_unit(make, world, credit_code=code))
        messages = errors_of(response)["credit_code"]
        assert any("credit code" in m and reason in m for m in messages), messages

    def test_wrong_check_character_names_the_expected_one(self, world, make, api):
        good = creditcode.make("91440101000000042")
        bad = good[:17] + ("0" if good[17] != "0" else "1")
        messages = errors_of(api.post("/units", as_=world.admin,
                                      json=new_unit(make, world, credit_code=bad)))
        assert good[17] in messages["credit_code"][0]

    def test_credit_code_message_in_one_language(self, world, make, api):
        bad = {**new_unit(make, world), "credit_code": "91440101000000001A"}
        chinese = errors_of(api.post("/units", as_=world.admin, json=bad,
                                     headers={"Accept-Language": "zh-CN"}))["credit_code"][0]
        english = errors_of(api.post("/units", as_=world.admin, json=bad,
                                     headers={"Accept-Language": "en"}))["credit_code"][0]
        assert chinese != english
        assert not any("a" <= c.lower() <= "z" for c in chinese.replace("M", ""))
        assert english.startswith("Not a valid unified social credit code: check character")

    def test_credit_code_taken_by_patch(self, world, api):
        response = api.patch(f"/units/{world.unit_a.id}", as_=world.coordinator_a,
                             json={"credit_code": world.unit_b.credit_code.lower()})
        assert response.status_code == 409
        same = api.patch(f"/units/{world.unit_a.id}", as_=world.coordinator_a,
                         json={"credit_code": world.unit_a.credit_code})
        assert same.status_code == 200

    # categories and their figures

    @pytest.mark.parametrize("category", ["government", "school", "hospital", "bank",
                                          "museum", "transit", "utility", "enterprise",
                                          "other"])
    def test_categories(self, world, make, api, category):
        response = api.post("/units", as_=world.admin,
                            json=new_unit(make, world, category=category))
        assert response.status_code == 201
        assert response.json["category"] == category

    @pytest.mark.parametrize("category", ["School", "farm", "", "学校"])
    def test_unknown_category(self, world, make, api, category):
        assert "category" in errors_of(api.post("/units", as_=world.admin,
                                                json=new_unit(make, world, category=category)))

    def test_required_fields(self, world, api):
        errors = errors_of(api.post("/units", as_=world.admin, json={}))
        assert set(errors) == {"name", "credit_code", "category", "jurisdiction_id"}

    @pytest.mark.parametrize(("fields", "field"), [
        ({"headcount": -1}, "headcount"),
        ({"headcount": 1.5}, "headcount"),
        ({"headcount": "100"}, "headcount"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"key_since": "2024-02-30"}, "key_since"),
        ({"jurisdiction_id": 987654}, "jurisdiction_id"),
        ({"name": "x" * 201}, "name"),
        ({"campuses": [{"name": "本部", "population": 10, "boarding_students": 11}]},
         "campuses"),
        ({"campuses": [{"name": "本部"}]}, "campuses"),
    ])
    def test_invalid_values(self, world, make, api, fields, field):
        response = api.post("/units", as_=world.admin, json=new_unit(make, world, **fields))
        assert field in errors_of(response)

    def test_timezone(self, world, make, api):
        response = api.post("/units", as_=world.admin,
                            json=new_unit(make, world, timezone="Asia/Urumqi"))
        assert response.json["timezone"] == "Asia/Urumqi"

    def test_campus_names_unique(self, world, make, api):
        campuses = [{"name": "本部", "population": 10}, {"name": "本部", "population": 20}]
        response = api.post("/units", as_=world.admin,
                            json=new_unit(make, world, campuses=campuses))
        assert "campuses" in errors_of(response)
        patch = api.patch(f"/units/{world.unit_a.id}", as_=world.coordinator_a,
                          json={"campuses": campuses})
        assert "campuses" in errors_of(patch)
        # the same name in two units is fine
        other = api.post("/units", as_=world.admin, json=new_unit(
            make, world, campuses=[{"name": "东校区", "population": 10}]))
        assert other.status_code == 201

    def test_campuses_only_for_schools(self, world, make, api):
        campuses = [{"name": "本部", "population": 10}]
        response = api.post("/units", as_=world.admin,
                            json=new_unit(make, world, category="bank", campuses=campuses))
        assert "campuses" in errors_of(response)
        patch = api.patch(f"/units/{world.unit_b.id}", as_=world.admin,
                          json={"campuses": campuses})
        assert "campuses" in errors_of(patch)
        # a school with campuses cannot turn into something else while keeping them
        change = api.patch(f"/units/{world.unit_a.id}", as_=world.admin,
                           json={"category": "enterprise"})
        assert "campuses" in errors_of(change)
        both = api.patch(f"/units/{world.unit_a.id}", as_=world.admin,
                         json={"category": "enterprise", "campuses": []})
        assert both.status_code == 200
        assert both.json["campuses"] == []

    def test_campuses_replace_by_name(self, world, make, api):
        make.person(world.unit_a, name="保安甲", role="guard", campus="东校区",
                    guard_certificate_no="粤保1")
        response = api.patch(f"/units/{world.unit_a.id}", as_=world.coordinator_a, json={
            "campuses": [{"name": "东校区", "population": 1300, "boarding_students": 100},
                         {"name": "西校区", "population": 200}]})
        assert response.status_code == 200
        assert response.json["campuses"] == [
            {"name": "东校区", "population": 1300, "boarding_students": 100},
            {"name": "西校区", "population": 200, "boarding_students": 0}]
        people = api.get(f"/units/{world.unit_a.id}/people", as_=world.coordinator_a).json
        assert {p["name"]: p["campus"] for p in people}["保安甲"] == "东校区"
        # a campus that still has people cannot go
        gone = api.patch(f"/units/{world.unit_a.id}", as_=world.coordinator_a,
                         json={"campuses": [{"name": "西校区", "population": 200}]})
        assert "campuses" in errors_of(gone)

    def test_campus_of_people_who_left_can_go(self, world, make, api):
        guard = make.person(world.unit_a, name="保安乙", role="guard", campus="东校区")
        leaving_later = make.person(world.unit_a, name="保安丙", role="guard", campus="东校区")
        api.patch(f"/people/{guard.id}", as_=world.coordinator_a,
                  json={"left_on": str(today() - timedelta(days=1))})
        api.patch(f"/people/{leaving_later.id}", as_=world.coordinator_a,
                  json={"left_on": str(today() + timedelta(days=30))})
        # still on the roster until the end date: the campus stays
        kept = api.patch(f"/units/{world.unit_a.id}", as_=world.coordinator_a,
                         json={"campuses": [{"name": "西校区", "population": 200}]})
        assert "campuses" in errors_of(kept)
        api.patch(f"/people/{leaving_later.id}", as_=world.coordinator_a,
                  json={"left_on": str(today())})
        gone = api.patch(f"/units/{world.unit_a.id}", as_=world.coordinator_a,
                         json={"campuses": [{"name": "西校区", "population": 200}]})
        assert gone.status_code == 200, gone.json
        everyone = api.get(f"/units/{world.unit_a.id}/people?include_left=true",
                           as_=world.coordinator_a).json
        assert {p["name"]: p["campus"] for p in everyone}["保安乙"] is None

    def test_hospital_figures(self, world, make, api):
        figures = {"medical_staff": 250, "beds": 300, "daily_outpatients": 4000}
        response = api.post("/units", as_=world.admin, json=new_unit(
            make, world, category="hospital", name="天河中医院", hospital=figures))
        assert response.status_code == 201
        assert response.json["hospital"] == figures
        assert response.json["campuses"] == []
        changed = api.patch(f"/units/{response.json['id']}", as_=world.admin,
                            json={"hospital": {**figures, "beds": 320}})
        assert changed.json["hospital"]["beds"] == 320
        not_hospital = api.post("/units", as_=world.admin, json=new_unit(
            make, world, category="bank", hospital=figures))
        assert "hospital" in errors_of(not_hospital)
        patch = api.patch(f"/units/{world.unit_b.id}", as_=world.admin,
                          json={"hospital": figures})
        assert "hospital" in errors_of(patch)
        partial = api.patch(f"/units/{response.json['id']}", as_=world.admin,
                            json={"hospital": {"beds": 1}})
        assert "hospital" in errors_of(partial)

    # key_since

    def test_key_since_is_the_registration_date_when_registered_as_key(self, world, make,
                                                                       api):
        response = api.post("/units", as_=world.police_a,
                            json=new_unit(make, world, key_target=True))
        assert response.json["key_since"] == str(today())
        assert response.json["registered_on"] == str(today())

    def test_key_since_given_is_kept(self, world, make, api):
        response = api.post("/units", as_=world.police_a, json=new_unit(
            make, world, key_security_unit=True, key_since="2023-05-01"))
        assert response.json["key_since"] == "2023-05-01"

    def test_key_since_set_when_a_flag_is_first_set(self, world, api):
        unit = world.other_unit_a
        db.session.get(Unit, unit.id).registered_on = date(2024, 3, 1)
        db.session.commit()
        assert api.get(f"/units/{unit.id}", as_=world.police_a).json["key_since"] is None
        response = api.patch(f"/units/{unit.id}", as_=world.police_a,
                             json={"key_security_unit": True})
        assert response.json["key_since"] == str(today())  # the day it became a key unit
        db.session.get(Unit, unit.id).key_since = date(2025, 1, 1)
        db.session.commit()
        # later flags, or a flag dropped and set again, do not move it
        for flags in ({"key_target": True}, {"key_target": False, "key_security_unit": False},
                      {"key_target": True}):
            response = api.patch(f"/units/{unit.id}", as_=world.police_a, json=flags)
            assert response.json["key_since"] == "2025-01-01"

    def test_key_since_of_the_world(self, world, api):
        for unit in (world.unit_a, world.unit_b):
            assert api.get(f"/units/{unit.id}", as_=world.admin).json["key_since"] == str(today())
        assert api.get(f"/units/{world.other_unit_a.id}",
                       as_=world.admin).json["key_since"] is None

    # filters and names

    @pytest.mark.parametrize(("query", "expected"), [
        ("category=school", ["unit_a"]),
        ("category=bank", []),
        ("key_target=true", ["unit_b"]),
        ("key_target=false", ["unit_a", "other_unit_a"]),
        ("key_security_unit=true", ["unit_a"]),
        ("q=医院", ["other_unit_a"]),
        ("q=天河", ["unit_a", "other_unit_a"]),
        ("q=%25", []),
        ("q=_", []),
        ("jurisdiction_id={district_a}", ["unit_a", "other_unit_a"]),
        ("jurisdiction_id={station_a}", ["unit_a"]),
        ("jurisdiction_id={city}&category=museum", ["unit_b"]),
    ])
    def test_filters(self, world, api, query, expected):
        query = query.format(district_a=world.district_a.id, station_a=world.station_a.id,
                             city=world.city.id)
        response = api.get(f"/units?{query}", as_=world.admin)
        assert response.status_code == 200
        assert [u["id"] for u in response.json] == [getattr(world, n).id for n in expected]

    def test_chinese_round_trip(self, world, make, api):
        names = {"name": "广州市第一人民医院（南院）", "address": "越秀区盘福路１号 «东楼»",
                 "responsible_person": "欧阳·娜娜"}
        created = api.post("/units", as_=world.admin, json=new_unit(
            make, world, category="hospital", **names))
        assert created.status_code == 201
        read = api.get(f"/units/{created.json['id']}", as_=world.admin)
        for field, value in names.items():
            assert read.json[field] == value
        assert names["name"].encode() in read.get_data()
        found = api.get("/units", as_=world.admin, query_string={"q": "第一人民"}).json
        assert [u["id"] for u in found] == [created.json["id"]]

    def test_text_is_trimmed(self, world, make, api):
        created = api.post("/units", as_=world.admin,
                           json=new_unit(make, world, name="  前后有空格  "))
        assert created.json["name"] == "前后有空格"


class TestPeople:
    def test_life(self, world, api):
        path = f"/units/{world.unit_a.id}/people"
        created = api.post(path, as_=world.coordinator_a, json={
            "name": "欧阳保安", "role": "guard", "campus": "东校区",
            "guard_certificate_no": "粤保字0099", "phone": "+86 138-0000-0001",
            "email": "oy@example.cn"})
        assert created.status_code == 201, created.json
        person = created.json
        assert person["unit_id"] == world.unit_a.id
        assert person["campus"] == "东校区"
        assert person["left_on"] is None
        etag = created.headers["ETag"]
        item = f"/people/{person['id']}"
        read = api.get(item, as_=world.coordinator_a)
        assert read.json == person and read.headers["ETag"] == etag

        updated = api.patch(item, as_=world.coordinator_a, json={"phone": "13900000000"},
                            headers={"If-Match": etag})
        assert updated.status_code == 200
        assert updated.json["phone"] == "13900000000"
        stale = api.patch(item, as_=world.coordinator_a, json={"phone": "1"},
                          headers={"If-Match": etag})
        assert stale.status_code == 412
        assert api.get(item, as_=world.admin).json["phone"] == "13900000000"

        listed = api.get(path, as_=world.coordinator_a).json
        assert [p["id"] for p in listed] == [world.person_a.id, person["id"]]

        with changed_meanwhile(Person, person["id"]):
            conflict = api.patch(item, as_=world.coordinator_a, json={"phone": "2"})
        assert conflict.status_code == 409
        current = api.get(item, as_=world.coordinator_a)
        with changed_meanwhile(Person, person["id"]):
            stale = api.patch(item, as_=world.coordinator_a, json={"phone": "3"},
                              headers={"If-Match": current.headers["ETag"]})
        assert stale.status_code == 412
        assert api.get(item, as_=world.admin).json["phone"] == "13900000000"

    @pytest.mark.parametrize(("body", "field"), [
        ({"name": "x", "role": "captain"}, "role"),
        ({"role": "guard"}, "name"),
        ({"name": "x"}, "role"),
        ({"name": "x", "role": "guard", "phone": "call me"}, "phone"),
        ({"name": "x", "role": "guard", "email": "not-an-email"}, "email"),
        ({"name": "x", "role": "guard", "left_on": "2024-13-01"}, "left_on"),
        ({"name": "x", "role": "guard", "unit_id": 5}, "unit_id"),
    ])
    def test_invalid(self, world, api, body, field):
        response = api.post(f"/units/{world.unit_a.id}/people", as_=world.coordinator_a,
                            json=body)
        assert field in errors_of(response)

    def test_campus_must_be_a_campus_of_the_unit(self, world, api):
        for unit, user in ((world.unit_a, world.coordinator_a),
                           (world.unit_b, world.coordinator_b)):
            response = api.post(f"/units/{unit.id}/people", as_=user,
                                json={"name": "x", "role": "guard", "campus": "西校区"})
            assert "campus" in errors_of(response)
        patch = api.patch(f"/people/{world.person_a.id}", as_=world.coordinator_a,
                          json={"campus": "北校区"})
        assert "campus" in errors_of(patch)
        moved = api.patch(f"/people/{world.person_a.id}", as_=world.coordinator_a,
                          json={"campus": "东校区"})
        assert moved.json["campus"] == "东校区"
        cleared = api.patch(f"/people/{world.person_a.id}", as_=world.coordinator_a,
                            json={"campus": None})
        assert cleared.json["campus"] is None

    def test_leaving_and_include_left(self, world, make, api):
        path = f"/units/{world.unit_a.id}/people"
        stays = world.person_a
        left = make.person(world.unit_a, name="已离职")
        later = make.person(world.unit_a, name="下月离职")
        response = api.patch(f"/people/{left.id}", as_=world.coordinator_a,
                             json={"left_on": str(today())})
        assert response.status_code == 200
        assert response.json["left_on"] == str(today())
        api.patch(f"/people/{later.id}", as_=world.coordinator_a,
                  json={"left_on": str(today() + timedelta(days=30))})
        current = [p["id"] for p in api.get(path, as_=world.coordinator_a).json]
        assert current == [stays.id, later.id]
        for value in ("true", "1"):
            everyone = api.get(f"{path}?include_left={value}", as_=world.coordinator_a).json
            assert [p["id"] for p in everyone] == [stays.id, left.id, later.id]
        assert [p["id"] for p in api.get(f"{path}?include_left=false",
                                         as_=world.coordinator_a).json] == current
        # people are never deleted: the one who left is still readable
        assert api.get(f"/people/{left.id}", as_=world.coordinator_a).status_code == 200
        assert api.delete(f"/people/{left.id}", as_=world.admin).status_code == 405
        back = api.patch(f"/people/{left.id}", as_=world.coordinator_a, json={"left_on": None})
        assert back.json["left_on"] is None

    def test_staff_read_names_and_roles(self, world, api):
        response = api.get(f"/people/{world.person_a.id}", as_=world.staff_a)
        assert response.json == {"id": world.person_a.id, "unit_id": world.unit_a.id,
                                 "name": "李卫国", "role": "security_full_time"}
        assert response.headers["ETag"]

    def test_chinese_round_trip(self, world, api):
        response = api.post(f"/units/{world.unit_a.id}/people", as_=world.admin,
                            json={"name": "司马　相如", "role": "staff"})
        assert api.get(f"/people/{response.json['id']}",
                       as_=world.admin).json["name"] == "司马　相如"


class TestKeyParts:
    def test_life(self, world, api):
        path = f"/units/{world.unit_a.id}/key-parts"
        created = api.post(path, as_=world.coordinator_a, json={
            "name": "化学实验室", "kind": "实验室", "video_linked": True,
            "video_retention_days": 90, "barriers": "双人双锁", "patrol_per_day": 3})
        assert created.status_code == 201, created.json
        part = created.json
        assert part == {"id": part["id"], "unit_id": world.unit_a.id, "name": "化学实验室",
                        "kind": "实验室", "video_linked": True, "video_retention_days": 90,
                        "barriers": "双人双锁", "patrol_per_day": 3}
        etag = created.headers["ETag"]
        item = f"/key-parts/{part['id']}"
        assert api.get(item, as_=world.staff_a).headers["ETag"] == etag
        updated = api.patch(item, as_=world.coordinator_a, json={"video_retention_days": 30},
                            headers={"If-Match": etag})
        assert updated.status_code == 200
        assert updated.json["video_retention_days"] == 30
        stale = api.patch(item, as_=world.coordinator_a, json={"patrol_per_day": 1},
                          headers={"If-Match": etag})
        assert stale.status_code == 412
        listed = api.get(path, as_=world.staff_a)
        assert [p["id"] for p in listed.json] == [world.key_part_a.id, part["id"]]
        assert json.loads(listed.headers["X-Pagination"])["total"] == 2
        with changed_meanwhile(KeyPart, part["id"]):
            conflict = api.patch(item, as_=world.coordinator_a, json={"patrol_per_day": 9})
        assert conflict.status_code == 409
        assert api.get(item, as_=world.admin).json["patrol_per_day"] == 3

    def test_minimal(self, world, api):
        created = api.post(f"/units/{world.unit_a.id}/key-parts", as_=world.admin,
                           json={"name": "财务室"})
        assert created.status_code == 201
        assert created.json["video_linked"] is False
        assert created.json["video_retention_days"] is None

    @pytest.mark.parametrize(("body", "field"), [
        ({}, "name"),
        ({"name": "x", "video_linked": "sometimes"}, "video_linked"),
        ({"name": "x", "video_retention_days": -1}, "video_retention_days"),
        ({"name": "x", "patrol_per_day": "3"}, "patrol_per_day"),
        ({"name": "x", "barriers": ["a"]}, "barriers"),
    ])
    def test_invalid(self, world, api, body, field):
        response = api.post(f"/units/{world.unit_a.id}/key-parts", as_=world.coordinator_a,
                            json=body)
        assert field in errors_of(response)


class TestStaffing:
    FIELDS = {"rule", "clause", "kind", "campus", "required", "actual", "compliant",
              "explanation"}

    def staffing(self, api, unit, user):
        response = api.get(f"/units/{unit.id}/staffing", as_=user)
        assert response.status_code == 200
        body = response.json
        assert set(body) == {"compliant", "requirements"}
        for requirement in body["requirements"]:
            assert self.FIELDS <= set(requirement)
            assert requirement["compliant"] == (requirement["actual"] >= requirement["required"])
            assert str(requirement["required"]) in requirement["explanation"]
        assert body["compliant"] == all(r["compliant"] for r in body["requirements"])
        return body

    @staticmethod
    def table(body):
        return [(r["rule"], r["kind"], r.get("campus"), r["required"], r["actual"],
                 r["compliant"]) for r in body["requirements"]]

    def test_school_with_campuses(self, world, make, api):
        unit = make.unit(world.station_a, name="天河中学", category="school", headcount=1500,
                         key_security_unit=True,
                         campuses=[{"name": "东校区", "population": 1200,
                                    "boarding_students": 0},
                                   {"name": "西校区", "population": 800,
                                    "boarding_students": 450}])
        for role in ("security_full_time", "security_full_time", "security_part_time"):
            make.person(unit, name="保卫", role=role)
        for campus, certificate in (("东校区", "c1"), ("东校区", "c2"), ("东校区", None),
                                    ("西校区", "c3"), ("西校区", "c4"), ("西校区", "c5")):
            make.person(unit, name="保安", role="guard", campus=campus,
                        guard_certificate_no=certificate)
        gone = make.person(unit, name="离职保安", role="guard", campus="西校区",
                           guard_certificate_no="c6")
        gone.left_on = today() - timedelta(days=1)
        db.session.commit()
        coordinator = make.user("coordinator", unit_id=unit.id)
        body = self.staffing(api, unit, coordinator)
        assert self.table(body) == [
            ("GZ-6.1", "security_staff", None, 3, 3, True),             # max(2, ⌈1500×2‰⌉)
            ("GZ-6.2", "full_time_security_staff", None, 8, 2, False),  # max(3, ⌈1500×5‰⌉)
            ("GZ-6.3.1", "guards", "东校区", 3, 2, False),  # 2 + ⌈200/500⌉
            ("GZ-6.3.1", "guards", "西校区", 4, 3, False),  # max(2, 2) + ⌈450/300⌉
        ]
        assert body["compliant"] is False
        assert [r["clause"] for r in body["requirements"]][:2] == ["GZ-(六)1", "GZ-(六)2"]

    def test_school_without_campuses_counts_as_one(self, world, make, api):
        unit = make.unit(world.station_a, category="school", headcount=150)
        for n in range(2):
            make.person(unit, role="security_part_time")
            make.person(unit, role="guard", guard_certificate_no=f"g{n}")
        body = self.staffing(api, unit, world.admin)
        assert self.table(body) == [("GZ-6.1", "security_staff", None, 2, 2, True),
                                    ("GZ-6.3.1", "guards", None, 2, 2, True)]
        assert body["compliant"] is True

    def test_hospital(self, world, make, api):
        unit = make.unit(world.district_a, category="hospital", headcount=150,
                         hospital={"medical_staff": 250, "beds": 300,
                                   "daily_outpatients": 4000})
        for n in range(15):
            make.person(unit, role="guard", guard_certificate_no=f"h{n}")
        make.person(unit, role="guard")  # no certificate: does not count
        body = self.staffing(api, unit, world.police_a)
        # max(⌈250×3%⌉, ⌈300/20⌉, ⌈4000×3‰⌉) = max(8, 15, 12)
        assert self.table(body) == [("GZ-6.1", "security_staff", None, 2, 0, False),
                                    ("GZ-6.3.2", "guards", None, 15, 15, True)]
        rules = [r["rule"] for r in body["requirements"]]
        assert "GZ-6.2" not in rules and "GZ-6.3.1" not in rules

    @pytest.mark.parametrize(("headcount", "required_6_1", "required_6_2"), [
        (200, 2, 2), (201, 2, 3), (500, 2, 3), (501, 2, 3), (1000, 2, 5), (1001, 3, 6),
        (2000, 4, 10), (2001, 5, 10), (3000, 6, 12),
    ])
    def test_headcount_steps(self, world, make, api, headcount, required_6_1, required_6_2):
        unit = make.unit(world.district_b, headcount=headcount, key_security_unit=True)
        body = self.staffing(api, unit, world.admin)
        assert [(r["rule"], r["required"]) for r in body["requirements"]] == [
            ("GZ-6.1", required_6_1), ("GZ-6.2", required_6_2)]

    def test_plain_unit_has_only_the_general_rule(self, world, make, api):
        unit = make.unit(world.district_b, category="museum", headcount=50)
        body = self.staffing(api, unit, world.admin)
        assert [r["rule"] for r in body["requirements"]] == ["GZ-6.1"]
        assert body["requirements"][0].get("campus") is None


def _expire():
    db.session.expire_all()


@pytest.mark.parametrize("path", ["/units", "/units/{unit}/people", "/units/{unit}/key-parts",
                                  "/jurisdictions", "/audit", "/users"])
def test_lists_run_the_same_number_of_queries_for_5_and_25_records(world, make, api, path):
    unit = make.unit(world.district_b, category="school", headcount=3000, campuses=[
        {"name": f"校区{n}", "population": 1000} for n in range(3)])

    def add(count):
        for n in range(count):
            make.unit(world.district_b, category="school", name=f"学校{n}",
                      campuses=[{"name": "本部", "population": 100},
                                {"name": "分部", "population": 50}])
            make.person(unit, name=f"人{n}", role="guard", campus=f"校区{n % 3}")
            make.key_part(unit, name=f"部位{n}")
            make.user("staff", unit_id=unit.id)

    target = path.format(unit=unit.id) + "?page_size=500"
    counts = []
    add(5)
    for more in (0, 20):
        add(more)
        api.get("/me", as_=world.admin)  # the token exists before counting
        _expire()
        with count_queries() as queries:
            response = api.get(target, as_=world.admin)
        assert response.status_code == 200
        counts.append(queries())
    assert counts[0] == counts[1], counts


def test_people_of_many_campuses_need_no_query_each(world, make, api):
    unit = make.unit(world.district_b, category="school", campuses=[
        {"name": f"校区{n}", "population": 100} for n in range(25)])
    for n in range(25):
        make.person(unit, name=f"人{n}", role="guard", campus=f"校区{n}")
    api.get("/me", as_=world.admin)
    _expire()
    with count_queries() as queries:
        response = api.get(f"/units/{unit.id}/people?page_size=500", as_=world.admin)
    assert [p["campus"] for p in response.json] == [f"校区{n}" for n in range(25)]
    assert queries() <= 8


def test_unit_row_counts(world):
    """The world has what the tests above assume."""
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 2
