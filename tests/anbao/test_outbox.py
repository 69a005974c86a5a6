"""The outbox (DESIGN.md §2 "Notification"): every message is a row with a unique key, so
deciding to send it twice queues it once; email leaves from it through ANBAO_SMTP_URL, each
message claimed before it is sent, with a Message-ID derived from its key; a server that is
away is tried again later (backing off), a permanent refusal is not."""
import re
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from anbao.extensions import db
from anbao.outbox import mail, service as outbox
from anbao.outbox.models import Notification
from equipment import service as equipment
from equipment.labels import equipment_label
from scheduler import jobs
from tests.scheduler.smtp import free_port, serve

NOW = datetime(2027, 3, 1, 1, 30, tzinfo=timezone.utc)   # 09:30 in Shanghai


@pytest.fixture
def item(world):
    found = equipment.create_equipment(world.coordinator_a, world.unit_a, {
        "category": "fire", "name": "干粉灭火器", "quantity": 6,
        "expires_on": date(2027, 2, 27)})
    db.session.commit()
    return found


@pytest.fixture
def queue(item):
    """Queue an equipment alert (`expired`) about the item to a recipient."""
    def queue(recipient, about="equipment:1:expired", period="2027-02-27", now=NOW):
        queued = outbox.notify(recipient, "equipment_alert", about, period, now=now,
                               unit_id=item.unit_id, link=f"/equipment/{item.id}", item=item,
                               unit=item.unit, day=item.expires_on,
                               alert_label=equipment_label("alert", "expired"))
        db.session.commit()
        return queued
    return queue


@pytest.fixture
def smtp(app, monkeypatch):
    with serve() as box:
        monkeypatch.setitem(app.config, "SMTP_URL", box.url)
        yield box


def rows() -> list[Notification]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Notification).order_by(Notification.id)).all()


def addresses(count: int) -> list[outbox.Recipient]:
    return [outbox.of_address(f"p{n}", f"person{n}@example.cn") for n in range(count)]


# Queueing

def test_a_message_is_queued_once_per_key(world, queue):
    recipient = outbox.of_user(world.coordinator_a)
    assert queue(recipient) is True
    assert queue(recipient) is False
    assert queue(recipient, now=NOW + timedelta(days=1)) is False
    (note,) = rows()
    assert note.key == f"u{world.coordinator_a.id}|equipment_alert|equipment:1:expired|2027-02-27"
    assert note.created_at == NOW   # the job's instant, not the clock's
    # another period, subject or recipient is another message
    assert queue(recipient, period="2027-03-27") is True
    assert queue(recipient, about="equipment:2:expired") is True
    assert queue(outbox.of_user(world.staff_a)) is True
    assert len(rows()) == 4 and len({n.key for n in rows()}) == 4


def test_an_account_without_an_address_is_told_in_the_app_only(world, queue):
    queue(outbox.of_user(world.coordinator_a))
    (note,) = rows()
    assert (note.user_id, note.email, note.channels) == (world.coordinator_a.id, None, ["in_app"])
    assert (note.email_status, note.next_attempt_at) == ("none", None)


def test_a_bare_address_is_told_by_email_only(queue):
    queue(outbox.of_address("p7", "zhao@example.cn"))
    (note,) = rows()
    assert note.key.startswith("p7|")
    assert (note.user_id, note.email, note.channels) == (None, "zhao@example.cn", ["email"])
    assert (note.email_status, note.next_attempt_at, note.attempts) == ("pending", NOW, 0)
    assert note.language == "zh_CN"


def test_an_account_with_an_address_is_told_both_ways(world, queue):
    world.coordinator_a.email = "coord@example.cn"
    db.session.commit()
    queue(outbox.of_user(world.coordinator_a, "person@example.cn"))
    (note,) = rows()
    assert note.email == "coord@example.cn"   # the account's own address first
    assert note.channels == ["in_app", "email"] and note.email_status == "pending"
    assert outbox.of_user(world.staff_a, "li@example.cn").email == "li@example.cn"
    assert outbox.of_user(world.staff_a).email is None


@pytest.mark.parametrize("language, first", [(None, "zh_CN"), ("zh_CN", "zh_CN"), ("en", "en"),
                                             ("fr", "zh_CN")])
def test_a_message_is_written_in_the_recipients_language_and_the_other(world, queue, language,
                                                                       first):
    world.coordinator_a.language = language
    db.session.commit()
    queue(outbox.of_user(world.coordinator_a))
    (note,) = rows()
    assert note.language == first
    english, chinese = ((note.subject, note.body), (note.other_subject, note.other_body))
    if first != "en":
        english, chinese = chinese, english
    assert "Expired" in english[0] and "已过期" in chinese[0]
    assert "Expired" in english[1] and "已过期" in chinese[1]
    for subject, body in (english, chinese):
        assert "干粉灭火器" in subject
        assert "天河实验学校" in body
        assert "\n" not in subject and subject not in body
    # the date as each language writes it
    assert "Feb 27, 2027" in english[1] and "2027年2月27日" in chinese[1]


# Reading

def test_each_user_reads_and_marks_only_their_own(world, queue):
    queue(outbox.of_user(world.coordinator_a))
    queue(outbox.of_user(world.coordinator_a), period="2027-03-27")
    queue(outbox.of_user(world.admin))
    queue(outbox.of_address("p1", "zhao@example.cn"))
    mine = db.session.scalars(outbox.notifications_query(world.coordinator_a)).all()
    assert [n.key.rsplit("|", 1)[1] for n in mine] == [
        "2027-03-27", "2027-02-27"]   # newest first
    assert [n.user_id for n in db.session.scalars(outbox.notifications_query(world.admin))] == [
        world.admin.id]
    assert db.session.scalars(outbox.notifications_query(world.police_a)).all() == []
    assert outbox.unread_count(world.coordinator_a) == 2
    outbox.mark_read(world.coordinator_a, mine[0])
    db.session.commit()
    assert outbox.unread_count(world.coordinator_a) == 1
    assert [n.id for n in db.session.scalars(
        outbox.notifications_query(world.coordinator_a, unread=True))] == [mine[1].id]
    assert outbox.mark_all_read(world.coordinator_a) == 1
    db.session.commit()
    assert outbox.unread_count(world.coordinator_a) == 0
    assert outbox.unread_count(world.admin) == 1


# The SMTP URL

@pytest.mark.parametrize("url, expected", [
    ("smtp://mail.example.cn", ("smtp", "mail.example.cn", 25, None, None,
                                "noreply@anbao.test", True)),
    ("smtp+starttls://user%40unit:p%3Ass@mail.example.cn",
     ("smtp+starttls", "mail.example.cn", 587, "user@unit", "p:ss", "noreply@anbao.test", True)),
    ("smtps://u:p@10.0.0.5:2465?from=anbao@unit.cn&verify=false",
     ("smtps", "10.0.0.5", 2465, "u", "p", "anbao@unit.cn", False)),
    ("smtps://relay", ("smtps", "relay", 465, None, None, "noreply@anbao.test", True)),
])
def test_the_smtp_url_names_server_login_sender_and_checks(app, url, expected):
    settings = mail.Settings(url, app.config["BASE_URL"])
    assert (settings.scheme, settings.host, settings.port, settings.username, settings.password,
            settings.sender, settings.verify) == expected


def test_an_smtp_url_of_another_scheme_is_refused_and_the_jobs_still_run(app, world,
                                                                        monkeypatch, queue):
    with pytest.raises(ValueError):
        mail.Settings("http://mail.example.cn", "http://anbao.test")
    monkeypatch.setitem(app.config, "SMTP_URL", "http://mail.example.cn")
    queue(outbox.of_address("p1", "zhao@example.cn"))
    done = jobs.tick(app, NOW)
    assert done["sent"] is None                  # delivery failed, and says so
    assert done["obligations"] is not None and done["obligations"] > 0
    assert rows()[0].email_status == "pending"


# The message

def test_the_message_id_is_derived_from_the_key(app):
    first = mail.message_id("u1|reminder_7d|activity:1|x", "anbao.test")
    assert first == mail.message_id("u1|reminder_7d|activity:1|x", "anbao.test")
    assert first != mail.message_id("u1|reminder_7d|activity:1|y", "anbao.test")
    assert first != mail.message_id("u2|reminder_7d|activity:1|x", "anbao.test")
    assert re.fullmatch(r"<[0-9a-z]+@anbao\.test>", first)


def test_the_message_carries_both_languages_the_recipients_first(app, world, queue):
    world.coordinator_a.email = "coord@example.cn"
    world.coordinator_a.language = "en"
    db.session.commit()
    queue(outbox.of_user(world.coordinator_a))
    queue(outbox.of_address("p1", "zhao@example.cn"))
    settings = mail.Settings("smtp://localhost", app.config["BASE_URL"])
    english, chinese = (mail.compose(n, settings) for n in rows())
    for message, note in ((english, rows()[0]), (chinese, rows()[1])):
        assert message["Subject"] == note.subject
        assert message["To"] == note.email
        assert message["Message-ID"] == mail.message_id(note.key, "anbao.test")
        body = message.get_content()
        assert body.count("http://anbao.test/equipment/") == 2   # the link, in each language
        assert "Expired" in body and "已过期" in body
    assert english.get_content().index("Expired") < english.get_content().index("已过期")
    assert chinese.get_content().index("已过期") < chinese.get_content().index("Expired")
    assert "Expired" in english["Subject"] and "已过期" in chinese["Subject"]


# Delivery

def test_nothing_is_sent_without_an_smtp_url(app, monkeypatch, queue):
    monkeypatch.setitem(app.config, "SMTP_URL", "")
    queue(outbox.of_address("p1", "zhao@example.cn"))
    assert mail.deliver(NOW) == 0
    (note,) = rows()
    assert (note.email_status, note.attempts) == ("pending", 0)


def test_delivery_sends_what_is_due_once(smtp, queue):
    for recipient in addresses(3):
        queue(recipient)
    assert mail.deliver(NOW - timedelta(seconds=1)) == 0   # queued as of NOW: not due before
    assert mail.deliver(NOW) == 3
    assert mail.deliver(NOW) == 0
    assert mail.deliver(NOW + timedelta(days=1)) == 0
    assert sorted(smtp.by_message_id().values()) == [1, 1, 1]
    assert {(n.email_status, n.sent_at, n.attempts) for n in rows()} == {("sent", NOW, 1)}


def test_a_message_another_sender_holds_is_left_to_it_until_its_claim_runs_out(smtp, queue):
    queue(outbox.of_address("p1", "zhao@example.cn"))
    queue(outbox.of_address("p2", "qian@example.cn"))
    held = rows()[0]
    db.session.execute(sa.update(Notification).where(Notification.id == held.id).values(
        claimed_until=NOW + timedelta(minutes=3), attempts=1))
    db.session.commit()
    assert mail.deliver(NOW) == 1
    assert [m["To"] for m in smtp.messages] == ["qian@example.cn"]
    assert mail.deliver(NOW + timedelta(minutes=3)) == 0   # the claim lasts until then
    assert mail.deliver(NOW + timedelta(minutes=3, seconds=1)) == 1
    assert [m["To"] for m in smtp.messages] == ["qian@example.cn", "zhao@example.cn"]
    assert rows()[0].attempts == 2 and rows()[0].claimed_until is None


def test_a_server_that_is_away_is_tried_again_later_and_less_often(app, monkeypatch, queue):
    port = free_port()
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{port}")
    queue(outbox.of_address("p1", "zhao@example.cn"))
    now, waits = NOW, []
    for _attempt in range(len(mail.BACKOFF) + 2):
        assert mail.deliver(now) == 0
        (note,) = rows()
        assert note.email_status == "pending" and note.last_error
        assert note.claimed_until is None
        waits.append(note.next_attempt_at - now)
        # not tried again before then
        assert mail.deliver(note.next_attempt_at - timedelta(seconds=1)) == 0
        assert rows()[0].attempts == len(waits)
        now = note.next_attempt_at
    assert waits == list(mail.BACKOFF) + [mail.BACKOFF[-1]] * 2
    assert all(a < b for a, b in zip(mail.BACKOFF, mail.BACKOFF[1:]))
    with serve(port=port) as box:
        assert mail.deliver(now) == 1
    assert len(box.received) == 1
    (note,) = rows()
    assert (note.email_status, note.last_error, note.attempts) == (
        "sent", "", len(mail.BACKOFF) + 3)


def test_a_server_that_is_away_holds_the_rest_of_the_batch_back_without_using_their_tries(
        app, monkeypatch, queue):
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    for recipient in addresses(5):
        queue(recipient)
    assert mail.deliver(NOW) == 0
    assert sorted(n.attempts for n in rows()) == [0, 0, 0, 0, 1]
    assert {n.email_status for n in rows()} == {"pending"}


@pytest.mark.parametrize("where", ["rcpt", "data"])
def test_a_permanent_refusal_fails_that_message_only_and_for_good(smtp, queue, where):
    for recipient in addresses(3):
        queue(recipient)
    if where == "rcpt":
        smtp.refuse_rcpt["person1@example.cn"] = "550 5.1.1 no such mailbox"
    else:
        smtp.refuse = "554 5.7.1 message refused"
    sent = mail.deliver(NOW)
    by_address = {n.email: n for n in rows()}
    refused = by_address["person1@example.cn"]
    assert refused.email_status == "failed" and refused.attempts == 1
    assert ("550" if where == "rcpt" else "554") in refused.last_error
    if where == "rcpt":   # the others went on
        assert sent == 2 and {m["To"] for m in smtp.messages} == {"person0@example.cn",
                                                                  "person2@example.cn"}
    else:
        assert sent == 0 and {n.email_status for n in by_address.values()} == {"failed"}
    # never tried again, even once the server would take it
    smtp.refuse, smtp.refuse_rcpt = None, {}
    mail.deliver(NOW + timedelta(days=1))
    assert rows()[1].email_status == "failed" and rows()[1].attempts == 1
    assert "person1@example.cn" not in {m["To"] for m in smtp.messages}


@pytest.mark.parametrize("where", ["rcpt", "data"])
def test_a_temporary_refusal_is_tried_again_later(smtp, queue, where):
    queue(outbox.of_address("p1", "zhao@example.cn"))
    if where == "rcpt":
        smtp.refuse_rcpt["zhao@example.cn"] = "450 4.2.1 mailbox busy"
    else:
        smtp.refuse = "451 4.3.0 try again later"
    assert mail.deliver(NOW) == 0
    (note,) = rows()
    assert note.email_status == "pending" and note.next_attempt_at == NOW + mail.BACKOFF[0]
    assert ("450" if where == "rcpt" else "451") in note.last_error
    smtp.refuse, smtp.refuse_rcpt = None, {}
    assert mail.deliver(NOW + mail.BACKOFF[0]) == 1
    assert [m["To"] for m in smtp.messages] == ["zhao@example.cn"]
