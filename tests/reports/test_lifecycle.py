"""A report's life (API.md "Reports", DESIGN.md §2 Report): the checklist answered yes / no /
na, submitted only when every item is answered; a submitted revision frozen with a SHA-256
anyone can recompute; accepted, or returned with a comment and revised as a new revision,
every revision and review kept; who of the police and supervisors read which revision; the
police told of a submission, the coordinators of a review."""
from datetime import date, datetime

import sqlalchemy as sa

from anbao.extensions import db
from reports.checklist import IDS
from reports.models import Report, ReportRead, ReportRevision
from tests.reports.helpers import (ALL_YES, answer, at, create, digest, hazard, held,
                                   review, submit, submitted)
from tests.scheduler.helpers import notes

NARRATIVE = "本期共开展演练2次、培训1次；\n“东门”围栏已修复。\\ 附：整改清单 ✅"


def _get(api, user, report_id, **kwargs):
    response = api.get(f"/reports/{report_id}", as_=user, **kwargs)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _revisions(api, user, report_id):
    response = api.get(f"/reports/{report_id}/revisions", as_=user)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _offset(text: str) -> bool:
    return datetime.fromisoformat(text).utcoffset() is not None


# The checklist

def test_a_new_report_lists_every_item_unanswered(api, world):
    report = create(api, world.coordinator_a, world.unit_a)
    assert [c["id"] for c in report["checklist"]] == [f"C{n:02d}" for n in range(1, 19)]
    for item in report["checklist"]:
        assert set(item) == {"id", "clause", "text", "answer", "note"}
        assert item["answer"] is None and item["clause"] and item["text"]
    assert report["narrative"] == ""


def test_submit_names_every_unanswered_item(api, world):
    report = create(api, world.coordinator_a, world.unit_a)
    response = api.post(f"/reports/{report['id']}/submit", as_=world.coordinator_a)
    assert response.status_code == 422
    assert set(response.get_json()["errors"]["json"]["checklist"]) == set(IDS)
    partial = {k: v for k, v in ALL_YES.items() if k not in ("C07", "C13")}
    answer(api, world.coordinator_a, report["id"], checklist=partial)
    response = api.post(f"/reports/{report['id']}/submit", as_=world.coordinator_a)
    assert response.status_code == 422
    assert set(response.get_json()["errors"]["json"]["checklist"]) == {"C07", "C13"}
    body = _get(api, world.coordinator_a, report["id"])
    assert (body["status"], body["sha256"], body["submitted_at"]) == ("draft", None, None)
    assert db.session.scalar(sa.select(sa.func.count(ReportRevision.id))) == 0
    assert notes("report_submitted") == []
    answer(api, world.coordinator_a, report["id"],
           checklist={"C07": {"answer": "no", "note": "台账待补"}, "C13": {"answer": "na"}})
    assert submit(api, world.coordinator_a, report["id"])["status"] == "submitted"


def test_answers_accumulate_with_their_notes(api, world):
    report = create(api, world.coordinator_a, world.unit_a)
    answer(api, world.coordinator_a, report["id"], "说明",
           {"C01": {"answer": "yes", "note": "每日巡查两次"}, "C02": {"answer": "no"}})
    body = answer(api, world.coordinator_a, report["id"], "说明",
                  {"C02": {"answer": "na", "note": "无车辆出入"}, "C03": {"answer": "no"}})
    by_id = {c["id"]: c for c in body["checklist"]}
    assert (by_id["C01"]["answer"], by_id["C01"]["note"]) == ("yes", "每日巡查两次")
    assert (by_id["C02"]["answer"], by_id["C02"]["note"]) == ("na", "无车辆出入")
    assert (by_id["C03"]["answer"], by_id["C03"]["note"]) == ("no", "")
    assert by_id["C04"]["answer"] is None
    # the narrative alone leaves the answers as they are
    response = api.patch(f"/reports/{report['id']}", as_=world.coordinator_a,
                         json={"narrative": "新的说明"})
    assert response.status_code == 200
    assert response.get_json()["checklist"] == body["checklist"]
    assert response.get_json()["narrative"] == "新的说明"


BAD_CHECKLISTS = [
    {"C01": {"answer": "maybe"}},
    {"C01": {"answer": "YES"}},
    {"C01": {"answer": None}},
    {"C01": {"note": "没有回答"}},
    {"C01": "yes"},
    {"C19": {"answer": "yes"}},
    {"c01": {"answer": "yes"}},
    {"C1": {"answer": "yes"}},
    ["C01", "yes"],
]


def test_answers_are_yes_no_or_na_for_known_items(api, world):
    report = create(api, world.coordinator_a, world.unit_a)
    for checklist in BAD_CHECKLISTS:
        response = api.patch(f"/reports/{report['id']}", as_=world.coordinator_a,
                             json={"narrative": "不应保存", "checklist": checklist})
        assert response.status_code == 422, checklist
        assert list(response.get_json()["errors"]["json"]) == ["checklist"]
    body = _get(api, world.coordinator_a, report["id"])
    assert body["narrative"] == "" and {c["answer"] for c in body["checklist"]} == {None}


def test_a_stale_if_match_is_412(api, world):
    report = create(api, world.coordinator_a, world.unit_a)
    tag = api.get(f"/reports/{report['id']}", as_=world.coordinator_a).headers["ETag"]
    answer(api, world.coordinator_a, report["id"], "先改一次")
    response = api.patch(f"/reports/{report['id']}", as_=world.coordinator_a,
                         headers={"If-Match": tag}, json={"narrative": "后改"})
    assert response.status_code == 412
    fresh = api.get(f"/reports/{report['id']}", as_=world.coordinator_a).headers["ETag"]
    response = api.patch(f"/reports/{report['id']}", as_=world.coordinator_a,
                         headers={"If-Match": fresh}, json={"narrative": "后改"})
    assert response.status_code == 200


# SHA-256

def test_the_sha256_can_be_recomputed_from_what_get_returns(api, world):
    held(world.unit_a, at(date(2026, 3, 3)), title="防暴恐“实战”演练")
    hazard(world.unit_a, at(date(2026, 2, 1)), date(2026, 3, 1), description="监控盲区\t东门")
    report = create(api, world.coordinator_a, world.unit_a)
    answer(api, world.coordinator_a, report["id"], NARRATIVE,
           {**ALL_YES, "C09": {"answer": "no", "note": "录像仅保存60天，已采购扩容硬盘"}})
    answered = submit(api, world.coordinator_a, report["id"])
    for user in (world.coordinator_a, world.police_a, world.supervisor_a, world.admin):
        body = _get(api, user, report["id"])
        assert body["sha256"] == answered["sha256"]
        assert body["sha256"] == digest(body["content"], body["checklist"], body["narrative"])
    assert "天河实验学校" in body["content"]["unit"]["name"] and body["narrative"] == NARRATIVE
    # the formula matters: escaped Chinese or other separators give another digest
    import hashlib
    import json
    other = json.dumps({"content": body["content"], "checklist": body["checklist"],
                        "narrative": body["narrative"]}, sort_keys=True)
    assert hashlib.sha256(other.encode()).hexdigest() != body["sha256"]
    # the same bytes in English (texts of a submitted revision are kept as submitted)
    english = _get(api, world.police_a, report["id"], headers={"Accept-Language": "en"})
    assert (english["content"], english["checklist"], english["sha256"]) == \
        (body["content"], body["checklist"], body["sha256"])


def test_every_revision_keeps_a_recomputable_sha256(api, world):
    report = submitted(api, world.coordinator_a, world.unit_a, narrative="第一版说明")
    review(api, world.police_a, report["id"], "return", "请补充培训记录")
    held(world.unit_a, at(date(2026, 4, 8)), kind="training", title="补充的培训")
    api.post(f"/reports/{report['id']}/refresh", as_=world.coordinator_a)
    answer(api, world.coordinator_a, report["id"], "第二版说明：已补充培训记录。")
    second = submit(api, world.coordinator_a, report["id"])
    revisions = _revisions(api, world.police_a, report["id"])
    assert [r["revision"] for r in revisions] == [1, 2]
    for revision in revisions:
        assert revision["sha256"] == digest(revision["content"], revision["checklist"],
                                            revision["narrative"])
    assert revisions[0]["sha256"] == report["sha256"]
    assert revisions[1]["sha256"] == second["sha256"] != report["sha256"]
    assert _get(api, world.police_a, report["id"])["sha256"] == revisions[1]["sha256"]


# Frozen

def test_a_submitted_report_is_frozen(api, world):
    report = submitted(api, world.coordinator_a, world.unit_a)
    for method, path, body in (("PATCH", "", {"narrative": "改"}), ("POST", "/refresh", None),
                               ("POST", "/submit", None)):
        response = api.request(method, f"/reports/{report['id']}{path}",
                               as_=world.coordinator_a, json=body)
        assert response.status_code == 409, (method, path, response.get_json())
    # the records change; the report does not
    hazard(world.unit_a, at(date(2026, 5, 5)), date(2026, 6, 1), description="提交后发现的隐患")
    held(world.unit_a, at(date(2026, 5, 6)), title="提交后补录的演练")
    body = _get(api, world.coordinator_a, report["id"])
    assert body["content"] == report["content"]
    assert (body["narrative"], body["checklist"], body["sha256"]) == \
        (report["narrative"], report["checklist"], report["sha256"])
    assert body["sha256"] == digest(body["content"], body["checklist"], body["narrative"])
    assert db.session.scalar(sa.select(sa.func.count(ReportRevision.id))) == 1


def test_a_submitted_revision_keeps_the_checklist_texts_it_was_submitted_with(api, world,
                                                                            monkeypatch):
    from reports import checklist
    report = submitted(api, world.coordinator_a, world.unit_a)
    draft = create(api, world.coordinator_a, world.unit_a,
                   {"period_start": "2026-07-01", "period_end": "2026-12-31"})
    reworded = tuple((item_id, clause, f"{text}（新措辞）")
                     for item_id, clause, text in checklist.ITEMS)
    monkeypatch.setattr(checklist, "ITEMS", reworded)
    body = _get(api, world.police_a, report["id"])
    assert body["checklist"] == report["checklist"]
    assert body["sha256"] == digest(body["content"], body["checklist"], body["narrative"])
    [revision] = _revisions(api, world.police_a, report["id"])
    assert revision["checklist"] == report["checklist"]
    # a working copy shows the texts of now
    assert _get(api, world.coordinator_a, draft["id"])["checklist"][0]["text"].endswith("（新措辞）")


def test_an_accepted_report_is_frozen_too(api, world):
    report = submitted(api, world.coordinator_a, world.unit_a)
    review(api, world.police_a, report["id"], "accept", "")
    for method, path in (("PATCH", ""), ("POST", "/refresh"), ("POST", "/submit")):
        response = api.request(method, f"/reports/{report['id']}{path}",
                               as_=world.coordinator_a, json={"narrative": "改"}
                               if method == "PATCH" else None)
        assert response.status_code == 409
    assert _get(api, world.police_a, report["id"])["content"] == report["content"]


def test_a_returned_revision_stays_as_it_was_submitted(api, world):
    report = submitted(api, world.coordinator_a, world.unit_a, narrative="第一版")
    review(api, world.police_a, report["id"], "return", "请补充隐患整改情况")
    hazard(world.unit_a, at(date(2026, 6, 1)), date(2026, 6, 20), description="退回后新增隐患")
    refreshed = api.post(f"/reports/{report['id']}/refresh", as_=world.coordinator_a)
    assert refreshed.status_code == 200
    answer(api, world.coordinator_a, report["id"], "第二版",
           {"C01": {"answer": "no", "note": "门卫人手不足"}})
    working = _get(api, world.coordinator_a, report["id"])
    assert working["content"] != report["content"]
    assert (working["narrative"], working["sha256"], working["submitted_at"]) == \
        ("第二版", None, None)
    [first] = _revisions(api, world.coordinator_a, report["id"])
    assert (first["content"], first["checklist"], first["narrative"], first["sha256"]) == \
        (report["content"], report["checklist"], "第一版", report["sha256"])
    # the returned revision's working copy starts from what was submitted
    assert {c["id"]: c["answer"] for c in working["checklist"]}["C02"] == "yes"


# Review and history

def test_return_revise_resubmit_and_accept_keep_the_history(api, world, make):
    police_station = make.user("police", "police_station", jurisdiction_id=world.station_a.id)
    report = submitted(api, world.coordinator_a, world.unit_a, narrative="第一版")
    assert (report["status"], report["revision"], report["review"]) == ("submitted", 1, None)
    assert report["submitted_by"] == "coordinator_a" and _offset(report["submitted_at"])
    returned = review(api, world.police_a, report["id"], "return", "请补充培训记录")
    assert (returned["status"], returned["revision"]) == ("returned", 2)
    assert returned["review"]["decision"] == "return"
    assert returned["review"]["comment"] == "请补充培训记录"
    assert returned["review"]["reviewer"] == "police_a"
    assert returned["review"]["reviewed_at"].endswith("+08:00")
    # the police still see the returned report, with its review
    seen = _get(api, world.police_a, report["id"])
    assert (seen["status"], seen["review"]) == ("returned", returned["review"])
    answer(api, world.coordinator_a, report["id"], "第二版")
    second = submit(api, world.coordinator_a, report["id"])
    assert (second["status"], second["revision"], second["review"]) == ("submitted", 2, None)
    accepted = review(api, police_station, report["id"], "accept", "同意")
    assert accepted["status"] == "accepted" and accepted["revision"] == 2
    assert accepted["review"]["decision"] == "accept"
    assert accepted["review"]["reviewer"] == "police_station"
    revisions = _revisions(api, world.coordinator_a, report["id"])
    assert [(r["revision"], r["narrative"], r["submitted_by"]) for r in revisions] == \
        [(1, "第一版", "coordinator_a"), (2, "第二版", "coordinator_a")]
    assert [(r["review"]["decision"], r["review"]["comment"], r["review"]["reviewer"])
            for r in revisions] == [("return", "请补充培训记录", "police_a"),
                                    ("accept", "同意", "police_station")]
    for revision in revisions:
        assert set(revision) == {"revision", "submitted_at", "submitted_by", "sha256",
                                 "content", "checklist", "narrative", "review", "reads"}
        assert _offset(revision["submitted_at"]) and _offset(revision["review"]["reviewed_at"])


def test_a_return_needs_a_comment(api, world):
    report = submitted(api, world.coordinator_a, world.unit_a)
    for body in ({"decision": "return"}, {"decision": "return", "comment": ""},
                 {"decision": "return", "comment": "  \n "}):
        response = api.post(f"/reports/{report['id']}/review", as_=world.police_a, json=body)
        assert response.status_code == 422, body
        assert "comment" in response.get_json()["errors"]["json"]
    assert _get(api, world.police_a, report["id"])["status"] == "submitted"
    assert notes("report_reviewed") == []
    # accepting needs none
    assert review(api, world.police_a, report["id"], "accept")["review"]["comment"] == ""


def test_a_decision_is_accept_or_return(api, world):
    report = submitted(api, world.coordinator_a, world.unit_a)
    for decision in ("reject", "ACCEPT", "", None):
        response = api.post(f"/reports/{report['id']}/review", as_=world.police_a,
                            json={"decision": decision, "comment": "意见"})
        assert response.status_code == 422, decision
        assert "decision" in response.get_json()["errors"]["json"]
    response = api.post(f"/reports/{report['id']}/review", as_=world.police_a,
                        json={"comment": "意见"})
    assert "decision" in response.get_json()["errors"]["json"]
    assert _get(api, world.police_a, report["id"])["status"] == "submitted"


def test_only_a_submitted_report_is_reviewed(api, world):
    draft = create(api, world.coordinator_a, world.unit_a)
    # a draft does not exist for the police
    response = api.post(f"/reports/{draft['id']}/review", as_=world.police_a,
                        json={"decision": "accept", "comment": ""})
    assert response.status_code == 404
    report = submitted(api, world.coordinator_a, world.unit_a,
                       {"period_start": "2026-07-01", "period_end": "2026-12-31"})
    review(api, world.police_a, report["id"], "return", "请修改")
    for decision in ("accept", "return"):
        review(api, world.police_a, report["id"], decision, "再审", status=409)
    answer(api, world.coordinator_a, report["id"])
    submit(api, world.coordinator_a, report["id"])
    review(api, world.police_a, report["id"], "accept", "")
    for decision in ("accept", "return"):
        review(api, world.police_a, report["id"], decision, "再审", status=409)
    assert [r["review"]["decision"] for r in _revisions(api, world.police_a, report["id"])] \
        == ["return", "accept"]


def test_reads_are_recorded_once_per_user_and_revision(api, world, make):
    supervisor = make.user("supervisor", "supervisor_station", jurisdiction_id=world.station_a.id,
                           sectors=["school"])
    report = submitted(api, world.coordinator_a, world.unit_a)
    _get(api, world.coordinator_a, report["id"])
    _get(api, world.admin, report["id"])
    assert _revisions(api, world.coordinator_a, report["id"])[0]["reads"] == []
    _get(api, world.police_a, report["id"])
    _get(api, world.police_a, report["id"])
    _get(api, supervisor, report["id"])
    [first] = _revisions(api, world.coordinator_a, report["id"])
    assert [(r["user_id"], r["username"]) for r in first["reads"]] == \
        [(world.police_a.id, "police_a"), (supervisor.id, "supervisor_station")]
    assert all(_offset(r["at"]) for r in first["reads"])
    at_first = first["reads"][0]["at"]
    # the next revision is read afresh; the first keeps its reads
    review(api, world.police_a, report["id"], "return", "请修改")
    answer(api, world.coordinator_a, report["id"], "修改后")
    submit(api, world.coordinator_a, report["id"])
    _get(api, world.police_a, report["id"])
    first, second = _revisions(api, world.coordinator_a, report["id"])
    assert [r["user_id"] for r in first["reads"]] == [world.police_a.id, supervisor.id]
    assert first["reads"][0]["at"] == at_first
    assert [r["user_id"] for r in second["reads"]] == [world.police_a.id]
    assert db.session.scalar(sa.select(sa.func.count(ReportRead.id))) == 3


def test_police_and_supervisors_do_not_read_a_draft(api, world):
    draft = create(api, world.coordinator_a, world.unit_a)
    for user in (world.police_a, world.supervisor_a):
        assert api.get(f"/reports/{draft['id']}", as_=user).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(ReportRead.id))) == 0


# Who is told

def test_a_submission_tells_the_police_over_the_unit_once(api, world, make):
    station = make.user("police", "police_station", jurisdiction_id=world.station_a.id)
    sibling = make.jurisdiction("五山派出所", "A2", world.district_a)
    elsewhere = make.user("police", "police_sibling", jurisdiction_id=sibling.id)
    gone = make.user("police", "police_gone", jurisdiction_id=world.district_a.id)
    gone.active = False
    db.session.commit()
    report = submitted(api, world.coordinator_a, world.unit_a)
    told = notes("report_submitted")
    assert sorted(n.user_id for n in told) == sorted([world.police_a.id, station.id])
    assert {n.unit_id for n in told} == {world.unit_a.id}
    assert all(str(report["id"]) in n.link for n in told)
    assert world.police_b.id not in {n.user_id for n in told}
    assert elsewhere.id not in {n.user_id for n in told} and gone.id not in {
        n.user_id for n in told}
    # a refused second submit tells nobody again
    submit(api, world.coordinator_a, report["id"], status=409)
    assert len(notes("report_submitted")) == 2
    assert notes("report_reviewed") == []


def test_a_resubmission_tells_the_police_again(api, world):
    report = submitted(api, world.coordinator_a, world.unit_a)
    review(api, world.police_a, report["id"], "return", "请修改")
    answer(api, world.coordinator_a, report["id"], "修改后")
    submit(api, world.coordinator_a, report["id"])
    assert [n.user_id for n in notes("report_submitted")] == [world.police_a.id] * 2


def test_a_review_tells_the_units_coordinators(api, world, make):
    second = make.user("coordinator", "coordinator_a2", unit_id=world.unit_a.id)
    report = submitted(api, world.coordinator_a, world.unit_a)
    review(api, world.police_a, report["id"], "return", "请修改")
    told = notes("report_reviewed")
    assert sorted(n.user_id for n in told) == sorted([world.coordinator_a.id, second.id])
    assert {n.unit_id for n in told} == {world.unit_a.id}
    assert world.coordinator_b.id not in {n.user_id for n in told}
    assert world.staff_a.id not in {n.user_id for n in told}
    answer(api, world.coordinator_a, report["id"], "修改后")
    submit(api, world.coordinator_a, report["id"])
    review(api, world.police_a, report["id"], "accept", "")
    assert len(notes("report_reviewed")) == 4
    # the police are not told of their own review
    assert {n.user_id for n in notes("report_reviewed")} == {world.coordinator_a.id, second.id}


def test_the_audit_trail_of_a_report(api, world):
    from anbao.audit.models import AuditEvent
    report = submitted(api, world.coordinator_a, world.unit_a)
    review(api, world.police_a, report["id"], "accept", "")
    events = db.session.execute(sa.select(AuditEvent.action, AuditEvent.username).where(
        AuditEvent.entity == "report", AuditEvent.entity_id == report["id"])
        .order_by(AuditEvent.id)).all()
    assert [tuple(e) for e in events] == [("create", "coordinator_a"),
                                          ("update", "coordinator_a"),
                                          ("submit", "coordinator_a"),
                                          ("accept", "police_a")]
    submitted_event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.entity == "report", AuditEvent.action == "submit"))
    assert report["sha256"] in str(submitted_event.changes)
    assert db.session.get(Report, report["id"]).status == "accepted"
