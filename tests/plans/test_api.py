"""Plans through the API, exactly as API.md "Plans" says."""
import io
import json
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta

import plans.service
from plans import scenarios
from plans.models import SECTIONS
from tests.conftest import count_queries

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


def _create(api, world, scenario="terror_attack", level="comprehensive", headers=None,
            unit=None, **fields):
    unit = unit or world.unit_a
    body = {"scenario": scenario, "level": level, "title": fields.pop("title", "防暴恐预案"),
            **fields}
    return api.post(f"/units/{unit.id}/plans", as_=world.coordinator_a
                    if unit.id == world.unit_a.id else world.coordinator_b,
                    json=body, headers=headers)


def _approve(api, world, plan_id, name="王校长"):
    return api.post(f"/plans/{plan_id}/approve", as_=world.coordinator_a,
                    json={"approved_by": name})


class TestPlanLife:
    """A plan from its first draft to a superseded version, step by step."""

    def test_walk_through(self, api, world):
        coordinator = world.coordinator_a
        # create: 201, draft, version 1, sections from the template in the caller's language
        created = _create(api, world, headers=ZH,
                          sections={"scope": "本校全体师生。"},
                          contacts=[{"role": "组长", "name": "王校长", "phone": "020-12345678"}])
        assert created.status_code == 201, created.get_json()
        v1 = created.get_json()
        assert created.headers["ETag"]
        assert v1["status"] == "draft" and v1["version"] == 1
        assert v1["unit_id"] == world.unit_a.id
        assert v1["title"] == "防暴恐预案"
        assert set(v1["sections"]) == set(SECTIONS)
        assert v1["sections"]["scope"] == "本校全体师生。"
        start = scenarios.template("terror_attack", "comprehensive", "zh_CN")
        assert v1["sections"]["response"] == start["sections"]["response"]
        assert v1["contacts"] == [{"role": "组长", "name": "王校长", "phone": "020-12345678"}]
        assert v1["equipment_ids"] == []
        assert v1["approved_at"] is None and v1["review_due"] is None
        assert v1["review_requested"] is False

        # one plan per scenario and level
        again = _create(api, world, headers=ZH)
        assert again.status_code == 409
        assert again.get_json()["code"] == 409

        # edit the draft: sections merge (keys given replace, others stay)
        edited = api.patch(f"/plans/{v1['id']}", as_=coordinator,
                           json={"sections": {"measures": "每日巡查。"}, "title": "防暴恐应急预案"})
        assert edited.status_code == 200, edited.get_json()
        draft = edited.get_json()
        assert draft["id"] == v1["id"] and draft["version"] == 1
        assert draft["sections"]["measures"] == "每日巡查。"
        assert draft["sections"]["scope"] == "本校全体师生。"
        assert draft["sections"]["response"] == start["sections"]["response"]
        assert draft["title"] == "防暴恐应急预案"
        assert edited.headers["ETag"] != created.headers["ETag"]

        # approve
        approved = _approve(api, world, v1["id"])
        assert approved.status_code == 200, approved.get_json()
        v1_approved = approved.get_json()
        assert v1_approved["status"] == "approved"
        assert v1_approved["approved_by"] == "王校长"
        assert v1_approved["approved_at"]
        # approving what is not a draft
        assert _approve(api, world, v1["id"]).status_code == 409

        # edit the approved version: 201 with a new draft, v1 as it was
        v1_before = api.get(f"/plans/{v1['id']}", as_=coordinator).get_json()
        revised = api.patch(f"/plans/{v1['id']}", as_=coordinator,
                            json={"sections": {"resources": "钢叉 4 把、盾牌 4 面。"}})
        assert revised.status_code == 201, revised.get_json()
        v2 = revised.get_json()
        assert v2["id"] != v1["id"] and v2["version"] == 2 and v2["status"] == "draft"
        assert v2["scenario"] == "terror_attack" and v2["level"] == "comprehensive"
        assert v2["sections"]["resources"] == "钢叉 4 把、盾牌 4 面。"
        assert v2["sections"]["measures"] == "每日巡查。"
        assert v2["approved_at"] is None and v2["approved_by"] is None
        assert revised.headers["ETag"]
        assert api.get(f"/plans/{v1['id']}", as_=coordinator).get_json() == v1_before

        # while v2 is a draft, v1 cannot make another one
        second = api.patch(f"/plans/{v1['id']}", as_=coordinator, json={"title": "又一稿"})
        assert second.status_code == 409
        # the draft itself is edited in place
        assert api.patch(f"/plans/{v2['id']}", as_=coordinator,
                         json={"title": "防暴恐应急预案（2025 修订）"}).status_code == 200

        # approve v2: v1 superseded
        approved2 = _approve(api, world, v2["id"], "李副校长")
        assert approved2.status_code == 200
        assert approved2.get_json()["status"] == "approved"
        old = api.get(f"/plans/{v1['id']}", as_=coordinator).get_json()
        assert old["status"] == "superseded"
        assert old["sections"] == v1_before["sections"]

        # a superseded version is read only
        assert api.patch(f"/plans/{v1['id']}", as_=coordinator,
                         json={"title": "改"}).status_code == 409
        assert _approve(api, world, v1["id"]).status_code == 409

        # versions: oldest first, each with content and attachments
        for plan_id in (v1["id"], v2["id"]):
            history = api.get(f"/plans/{plan_id}/versions", as_=coordinator)
            assert history.status_code == 200
            rows = history.get_json()
            assert [r["version"] for r in rows] == [1, 2]
            assert [r["status"] for r in rows] == ["superseded", "approved"]
            assert rows[0]["sections"]["resources"] == start["sections"]["resources"]
            assert rows[1]["sections"]["resources"] == "钢叉 4 把、盾牌 4 面。"
            assert all(r["attachments"] == [] for r in rows)
            assert "X-Pagination" not in history.headers

    def test_template_follows_accept_language(self, api, world):
        english = _create(api, world, headers=EN, title="Terror plan").get_json()
        start = scenarios.template("terror_attack", "comprehensive", "en")
        assert english["sections"] == start["sections"]
        chinese = _create(api, world, level="onsite", headers=ZH).get_json()
        assert chinese["sections"] == scenarios.template(
            "terror_attack", "onsite", "zh_CN")["sections"]
        # no Accept-Language: Chinese
        plain = _create(api, world, level="special").get_json()
        assert plain["sections"] == scenarios.template(
            "terror_attack", "special", "zh_CN")["sections"]

    def test_versions_carry_attachments(self, api, world):
        plan = _create(api, world).get_json()
        upload = api.post(f"/plans/{plan['id']}/attachments", as_=world.coordinator_a,
                          data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"),
                                         "预案.pdf")},
                          content_type="multipart/form-data")
        assert upload.status_code == 201, upload.get_json()
        rows = api.get(f"/plans/{plan['id']}/versions", as_=world.coordinator_a).get_json()
        assert [a["id"] for a in rows[0]["attachments"]] == [upload.get_json()["id"]]
        assert rows[0]["attachments"][0]["filename"] == "预案.pdf"


class TestReviewDue:
    @pytest.mark.parametrize(("now", "approved_on", "due"), [
        # 20:00 UTC on 28 Feb 2024 is 04:00 on 29 Feb in Shanghai; 36 months on: 28 Feb 2027
        (datetime(2024, 2, 28, 20, 0, tzinfo=timezone.utc), date(2024, 2, 29),
         date(2027, 2, 28)),
        (datetime(2024, 6, 30, 15, 59, tzinfo=timezone.utc), date(2024, 6, 30),
         date(2027, 6, 30)),
        (datetime(2024, 8, 31, 16, 0, tzinfo=timezone.utc), date(2024, 9, 1),
         date(2027, 9, 1)),
    ])
    def test_review_due_is_36_months_after_approval_in_the_units_zone(
            self, api, world, monkeypatch, now, approved_on, due):
        monkeypatch.setattr(plans.service, "utcnow", lambda: now)
        plan = _create(api, world).get_json()
        body = _approve(api, world, plan["id"]).get_json()
        approved_at = datetime.fromisoformat(body["approved_at"])
        assert approved_at == now
        assert approved_at.utcoffset() is not None
        assert approved_at.astimezone(ZoneInfo("Asia/Shanghai")).date() == approved_on
        assert date.fromisoformat(body["review_due"]) == due == approved_on + relativedelta(
            months=36)

    def test_review_due_today(self, api, world):
        plan = _create(api, world).get_json()
        body = _approve(api, world, plan["id"]).get_json()
        approved_on = datetime.fromisoformat(body["approved_at"]).astimezone(
            ZoneInfo("Asia/Shanghai")).date()
        assert date.fromisoformat(body["review_due"]) == approved_on + relativedelta(months=36)


class TestConcurrency:
    def test_if_match(self, api, world):
        created = _create(api, world)
        plan_id = created.get_json()["id"]
        read = api.get(f"/plans/{plan_id}", as_=world.coordinator_a)
        assert read.headers["ETag"] == created.headers["ETag"]
        etag = read.headers["ETag"]
        ok = api.patch(f"/plans/{plan_id}", as_=world.coordinator_a, json={"title": "一"},
                       headers={"If-Match": etag})
        assert ok.status_code == 200
        stale = api.patch(f"/plans/{plan_id}", as_=world.coordinator_a, json={"title": "二"},
                          headers={"If-Match": etag})
        assert stale.status_code == 412
        assert stale.get_json()["code"] == 412
        assert api.get(f"/plans/{plan_id}", as_=world.coordinator_a).get_json()["title"] == "一"
        # the current one matches; so does a weak form of it
        assert api.patch(f"/plans/{plan_id}", as_=world.coordinator_a, json={"title": "三"},
                         headers={"If-Match": "W/" + ok.headers["ETag"]}).status_code == 200
        # approve honours If-Match too
        assert api.post(f"/plans/{plan_id}/approve", as_=world.coordinator_a,
                        json={"approved_by": "王"}, headers={"If-Match": etag}).status_code == 412

    def test_two_editors(self, api, world, make):
        """Two coordinators read the same version; the first edit wins, the second is 412."""
        other = make.user("coordinator", "coordinator_a2", unit_id=world.unit_a.id)
        plan_id = _create(api, world).get_json()["id"]
        first_read = api.get(f"/plans/{plan_id}", as_=world.coordinator_a)
        second_read = api.get(f"/plans/{plan_id}", as_=other)
        assert first_read.headers["ETag"] == second_read.headers["ETag"]
        first = api.patch(f"/plans/{plan_id}", as_=world.coordinator_a,
                          json={"sections": {"scope": "甲的修改"}},
                          headers={"If-Match": first_read.headers["ETag"]})
        assert first.status_code == 200
        second = api.patch(f"/plans/{plan_id}", as_=other,
                           json={"sections": {"scope": "乙的修改"}},
                           headers={"If-Match": second_read.headers["ETag"]})
        assert second.status_code == 412
        assert api.get(f"/plans/{plan_id}", as_=other).get_json()["sections"]["scope"] == "甲的修改"

    def test_stale_if_match_on_approved_makes_no_draft(self, api, world):
        plan_id = _create(api, world).get_json()["id"]
        etag = api.get(f"/plans/{plan_id}", as_=world.coordinator_a).headers["ETag"]
        _approve(api, world, plan_id)
        stale = api.patch(f"/plans/{plan_id}", as_=world.coordinator_a, json={"title": "x"},
                          headers={"If-Match": etag})
        assert stale.status_code == 412
        listed = api.get(f"/units/{world.unit_a.id}/plans", as_=world.coordinator_a).get_json()
        assert len(listed) == 1


class TestList:
    def _plans(self, api, world):
        ids = {}
        for scenario, level in [("terror_attack", "comprehensive"), ("accident", "onsite"),
                                ("accident", "special"), ("sabotage", "comprehensive")]:
            ids[scenario, level] = _create(api, world, scenario, level).get_json()["id"]
        _approve(api, world, ids["accident", "onsite"])
        _approve(api, world, ids["sabotage", "comprehensive"])
        return ids

    def test_filters(self, api, world):
        ids = self._plans(api, world)
        path = f"/units/{world.unit_a.id}/plans"

        def listed(query):
            response = api.get(path + query, as_=world.coordinator_a)
            assert response.status_code == 200, response.get_json()
            return [p["id"] for p in response.get_json()]

        assert listed("") == sorted(ids.values())
        assert listed("?scenario=accident") == [ids["accident", "onsite"],
                                                ids["accident", "special"]]
        assert listed("?level=comprehensive") == [ids["terror_attack", "comprehensive"],
                                                  ids["sabotage", "comprehensive"]]
        assert listed("?status=approved") == [ids["accident", "onsite"],
                                              ids["sabotage", "comprehensive"]]
        assert listed("?status=draft&scenario=accident") == [ids["accident", "special"]]
        assert listed("?status=superseded") == []
        for query, field in [("?scenario=fire", "scenario"), ("?level=big", "level"),
                             ("?status=old", "status"), ("?page_size=501", "page_size")]:
            bad = api.get(path + query, as_=world.coordinator_a)
            assert bad.status_code == 422
            assert field in bad.get_json()["errors"]["query"]

    def test_pagination_header(self, api, world):
        self._plans(api, world)
        path = f"/units/{world.unit_a.id}/plans"
        page = api.get(path + "?page=2&page_size=3", as_=world.coordinator_a)
        assert page.status_code == 200
        assert len(page.get_json()) == 1
        meta = json.loads(page.headers["X-Pagination"])
        assert (meta["total"], meta["total_pages"], meta["page"]) == (4, 2, 2)
        past = api.get(path + "?page=9", as_=world.coordinator_a)
        assert past.get_json() == []
        assert json.loads(past.headers["X-Pagination"])["total"] == 4

    def test_every_version_listed(self, api, world):
        plan_id = _create(api, world).get_json()["id"]
        _approve(api, world, plan_id)
        v2 = api.patch(f"/plans/{plan_id}", as_=world.coordinator_a, json={"title": "二"})
        listed = api.get(f"/units/{world.unit_a.id}/plans", as_=world.coordinator_a).get_json()
        assert [(p["version"], p["status"]) for p in listed] == [(1, "approved"), (2, "draft")]
        assert listed[1]["id"] == v2.get_json()["id"]

    def test_statement_count_does_not_grow_with_plans(self, api, world):
        combos = [(s, lv) for s in ("theft_robbery", "sabotage", "accident", "terror_attack",
                                     "extreme_individual")
                  for lv in ("comprehensive", "special", "onsite")]
        path = f"/units/{world.unit_a.id}/plans"

        def statements():
            api.get(path, as_=world.coordinator_a)  # token made, caches warm
            with count_queries() as n:
                response = api.get(path, as_=world.coordinator_a)
            assert response.status_code == 200
            return n(), len(response.get_json())

        for scenario, level in combos[:3]:
            _create(api, world, scenario, level)
        few, three = statements()
        for scenario, level in combos[3:]:
            _create(api, world, scenario, level)
        many, fifteen = statements()
        assert (three, fifteen) == (3, 15)
        assert few == many


class TestValidation:
    @pytest.mark.parametrize(("body", "field"), [
        ({"scenario": "terror_attack", "level": "comprehensive", "title": "x",
          "sections": {"prologue": "x"}}, "sections"),
        ({"scenario": "fire", "level": "comprehensive", "title": "x"}, "scenario"),
        ({"scenario": "accident", "level": "huge", "title": "x"}, "level"),
        ({"scenario": "accident", "level": "onsite"}, "title"),
        ({"scenario": "accident", "level": "onsite", "title": ""}, "title"),
        ({"scenario": "accident", "level": "onsite", "title": "x",
          "contacts": [{"role": "组长", "phone": "110"}]}, "contacts"),
        ({"scenario": "accident", "level": "onsite", "title": "x",
          "contacts": [{"role": "组长", "name": "王", "phone": "call me"}]}, "contacts"),
        ({"scenario": "accident", "level": "onsite", "title": "x",
          "equipment_ids": [1]}, "equipment_ids"),
        ({"scenario": "accident", "level": "onsite", "title": "x",
          "sections": {"scope": 5}}, "sections"),
        ({"scenario": "accident", "level": "onsite", "title": "x", "status": "approved"},
         "status"),
    ])
    def test_create_422_names_the_field(self, api, world, body, field):
        response = api.post(f"/units/{world.unit_a.id}/plans", as_=world.coordinator_a,
                            json=body)
        assert response.status_code == 422, response.get_json()
        assert field in response.get_json()["errors"]["json"]
        assert api.get(f"/units/{world.unit_a.id}/plans",
                       as_=world.coordinator_a).get_json() == []

    @pytest.mark.parametrize(("body", "field"), [
        ({"sections": {"epilogue": "x"}}, "sections"),
        ({"title": ""}, "title"),
        ({"title": None}, "title"),
        ({"contacts": [{"name": "王"}]}, "contacts"),
        ({"equipment_ids": [3]}, "equipment_ids"),
        ({"scenario": "accident"}, "scenario"),
        ({"version": 7}, "version"),
        ({"sections": {"scope": None}}, "sections"),
        ({"sections": {"scope": "长" * 20_001}}, "sections"),
        ({"contacts": None}, "contacts"),
    ])
    def test_patch_422_names_the_field(self, api, world, body, field):
        plan = _create(api, world).get_json()
        response = api.patch(f"/plans/{plan['id']}", as_=world.coordinator_a, json=body)
        assert response.status_code == 422, response.get_json()
        assert field in response.get_json()["errors"]["json"]
        assert api.get(f"/plans/{plan['id']}", as_=world.coordinator_a).get_json() == plan

    def test_patch_of_approved_with_invalid_body_makes_no_draft(self, api, world):
        plan_id = _create(api, world).get_json()["id"]
        _approve(api, world, plan_id)
        bad = api.patch(f"/plans/{plan_id}", as_=world.coordinator_a,
                        json={"equipment_ids": [1]})
        assert bad.status_code == 422
        listed = api.get(f"/units/{world.unit_a.id}/plans", as_=world.coordinator_a).get_json()
        assert len(listed) == 1

    def test_approve_needs_a_name(self, api, world):
        plan_id = _create(api, world).get_json()["id"]
        response = api.post(f"/plans/{plan_id}/approve", as_=world.coordinator_a, json={})
        assert response.status_code == 422
        assert "approved_by" in response.get_json()["errors"]["json"]

    def test_english_messages(self, api, world):
        response = api.post(f"/units/{world.unit_a.id}/plans", as_=world.coordinator_a,
                            json={"scenario": "accident", "level": "onsite", "title": "x",
                                  "equipment_ids": [1]}, headers=EN)
        assert response.get_json()["errors"]["json"]["equipment_ids"] == [
            "No such equipment in this unit."]

    def test_audit(self, api, world):
        plan_id = _create(api, world).get_json()["id"]
        _approve(api, world, plan_id)
        api.patch(f"/plans/{plan_id}", as_=world.coordinator_a, json={"title": "二"})
        events = api.get(f"/audit?unit_id={world.unit_a.id}", as_=world.admin).get_json()
        plan_events = [(e["action"], e["entity"]) for e in events if e["entity"] == "plan"]
        assert plan_events == [("create", "plan"), ("approve", "plan"), ("create", "plan")]


def test_the_review_date_follows_the_interval_the_admin_set(api, world):
    """PLAN-REVIEW is one rule: the plan's review_due and the compliance item agree."""
    from dateutil.relativedelta import relativedelta

    from units.service import today_in
    assert api.patch("/compliance/settings", as_=world.admin,
                     json={"PLAN-REVIEW": 24}).status_code == 200
    created = api.post(f"/units/{world.unit_a.id}/plans", as_=world.coordinator_a, json={
        "scenario": "sabotage", "level": "comprehensive", "title": "防破坏预案"}).get_json()
    approved = api.post(f"/plans/{created['id']}/approve", as_=world.coordinator_a,
                        json={"approved_by": "陈校长"}).get_json()
    assert approved["review_due"] == (today_in(world.unit_a)
                                      + relativedelta(months=24)).isoformat()
