"""Email from the outbox to a real SMTP server (aiosmtpd), as a tick sends it (DESIGN.md §2
"Notification", §4 "Email through SMTP"): subject, recipient, a Message-ID derived from the
message's key, both languages with the recipient's first, UTF-8; plain SMTP, STARTTLS with a
login, TLS from the start; nothing sent twice; a server that is away gets it later, once."""
import re
from datetime import timedelta
from urllib.parse import quote

import pytest

from anbao.extensions import db
from anbao.outbox import mail
from tests.scheduler.helpers import DAY, START, activity, notes, tick
from tests.scheduler.smtp import PASSWORD, USERNAME, free_port, serve, server_context

NOW = START - 2 * DAY
ADDRESSES = {"coord@example.cn", "li@example.cn", "zhao@example.cn"}


@pytest.fixture
def training(make, world):
    """A training of unit_a on 8 March 2027 at 09:00 with li (an account, zh) and zhao (an
    address); its coordinator has an address and reads English."""
    world.coordinator_a.email = "coord@example.cn"
    world.coordinator_a.language = "en"
    db.session.commit()
    zhao = make.person(world.unit_a, name="赵敏", role="guard", email="zhao@example.cn")
    return activity(world.unit_a, kind="training", topic="awareness", title="全员安全教育",
                    location="礼堂", people=[world.person_a, zhao])


def emailed():
    """The outbox rows that go by email, by address."""
    return {n.email: n for n in notes() if n.email}


def test_reminders_arrive_with_subject_recipient_message_id_and_both_languages(
        app, mailbox, training):
    done = tick(app, NOW)
    assert done["reminders"] == 3 and done["sent"] == 3
    rows = emailed()
    assert set(rows) == ADDRESSES
    arrived = {m["To"]: (m, r) for m, r in zip(mailbox.messages, mailbox.received)}
    assert set(arrived) == ADDRESSES
    for address, (message, received) in arrived.items():
        row = rows[address]
        assert received.rcpt_tos == [address]
        assert received.mail_from == "noreply@anbao.test"
        assert message["Subject"] == row.subject and "全员安全教育" in message["Subject"]
        assert message["From"].addresses[0].addr_spec == "noreply@anbao.test"
        assert message["From"].addresses[0].display_name == "Anbao 安保"
        # derived from the key: the same key always gives the same id, on our domain
        assert message["Message-ID"] == mail.message_id(row.key, "anbao.test")
        assert re.fullmatch(r"<[^<>@\s]+@anbao\.test>", message["Message-ID"])
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["Date"].datetime == NOW
        assert message.get_content_type() == "text/plain"
        assert message.get_content_charset() == "utf-8"
        body = message.get_content()
        for text in ("全员安全教育", "天河实验学校", "礼堂", "2027年3月8日 09:00", "Mar 8, 2027 09:00",
                     f"http://anbao.test{row.link}"):
            assert text in body, (text, body)
        # both languages; the recipient's first
        assert "Training" in body and "培训" in body
        english_first = body.index("Training") < body.index("培训")
        assert english_first == (address == "coord@example.cn"), body
        assert (row.email_status, row.sent_at, row.attempts, row.claimed_until) == (
            "sent", NOW, 1, None)
    assert len(set(mailbox.by_message_id())) == 3


def test_the_same_tick_twice_sends_nothing_twice(app, mailbox, training):
    assert tick(app, NOW)["sent"] == 3
    assert tick(app, NOW) == {"reminders": 0, "obligations": 0, "hazards": 0, "equipment": 0,
                              "sent": 0}
    assert tick(app, NOW + timedelta(hours=6))["sent"] == 0
    assert sorted(mailbox.by_message_id().values()) == [1, 1, 1]


def test_each_reminder_is_a_message_of_its_own(app, mailbox, training):
    tick(app, NOW)
    tick(app, START - DAY)      # the 1-day reminders
    tick(app, START - DAY / 2)
    counts = mailbox.by_message_id()
    assert len(counts) == 6 and set(counts.values()) == {1}
    subjects = [m["Subject"] for m in mailbox.to("zhao@example.cn")]
    assert len(subjects) == 2 and subjects[0] != subjects[1]


def test_an_account_without_an_address_gets_no_email(app, mailbox, training, world):
    world.coordinator_a.email = None
    db.session.commit()
    tick(app, NOW)
    assert {m["To"] for m in mailbox.messages} == {"li@example.cn", "zhao@example.cn"}
    (row,) = notes(user_id=world.coordinator_a.id)
    assert row.email_status == "none" and row.sent_at is None


def test_a_server_that_is_away_gets_the_messages_later_once(app, monkeypatch, training):
    port = free_port()   # nobody listens there yet
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{port}")
    done = tick(app, NOW)
    assert done["reminders"] == 3 and done["sent"] == 0
    rows = emailed()
    assert {n.email_status for n in rows.values()} == {"pending"}
    assert all(n.sent_at is None and n.claimed_until is None for n in rows.values())
    tried = [n for n in rows.values() if n.attempts]
    assert tried, "a message was tried"
    for note in tried:
        assert note.next_attempt_at > NOW and note.last_error
    # still away half a minute later: what waits for its next attempt is not tried
    tick(app, NOW + timedelta(seconds=30))
    assert {n.id: n.attempts for n in tried} == {
        n.id: n.attempts for n in emailed().values() if n.id in {t.id for t in tried}}
    with serve(port=port) as mailbox:
        later = NOW + timedelta(minutes=20)
        assert tick(app, later)["sent"] == 3
        assert tick(app, later + timedelta(hours=4))["sent"] == 0
    assert sorted(mailbox.by_message_id().values()) == [1, 1, 1]
    assert {m["To"] for m in mailbox.messages} == ADDRESSES
    for note in emailed().values():
        assert (note.email_status, note.sent_at, note.last_error) == ("sent", later, "")


def test_starttls_with_a_login(app, monkeypatch, training, certificate):
    with serve(tls_context=server_context(*certificate), auth=True, require_tls=True) as box:
        monkeypatch.setitem(app.config, "SMTP_URL", (
            f"smtp+starttls://{USERNAME}:{quote(PASSWORD, safe='')}@127.0.0.1:{box.port}"
            "?verify=false&from=anquan@unit.example.cn"))
        assert tick(app, NOW)["sent"] == 3
    assert len(box.received) == 3
    for received in box.received:
        assert received.tls and received.login == USERNAME
        assert received.mail_from == "anquan@unit.example.cn"
        assert received.message["From"].addresses[0].addr_spec == "anquan@unit.example.cn"
        assert "全员安全教育" in received.message.get_content()


def test_tls_from_the_start(app, monkeypatch, training, certificate):
    with serve(tls_context=server_context(*certificate), implicit_tls=True) as box:
        monkeypatch.setitem(app.config, "SMTP_URL", f"{box.url}?verify=false")
        assert box.url.startswith("smtps://")
        assert tick(app, NOW)["sent"] == 3
    assert [r.tls for r in box.received] == [True] * 3


def test_an_unverifiable_certificate_is_refused_unless_told_otherwise(app, monkeypatch,
                                                                     training, certificate):
    with serve(tls_context=server_context(*certificate), require_tls=True) as box:
        monkeypatch.setitem(app.config, "SMTP_URL", box.url)   # verify: on by default
        assert tick(app, NOW)["sent"] == 0
        assert box.received == []
        (tried,) = [n for n in emailed().values() if n.attempts]
        assert tried.email_status == "pending" and "certificate" in tried.last_error.lower()


def test_a_wrong_password_sends_nothing_and_keeps_the_messages(app, monkeypatch, training,
                                                             certificate):
    with serve(tls_context=server_context(*certificate), auth=True, require_tls=True) as box:
        monkeypatch.setitem(app.config, "SMTP_URL",
                            f"smtp+starttls://{USERNAME}:wrong@127.0.0.1:{box.port}"
                            "?verify=false")
        assert tick(app, NOW)["sent"] == 0
    assert box.received == []
    assert {n.email_status for n in emailed().values()} == {"pending"}
    assert any("535" in n.last_error for n in emailed().values())


def test_a_reminder_not_sent_before_its_start_is_not_sent_after_it(app, monkeypatch, world,
                                                                  make):
    """A reminder is pointless once the drill has begun: its email expires then (the in-app
    message stays)."""
    zhao = make.person(world.unit_a, name="赵敏", role="guard", email="zhao@example.cn")
    activity(world.unit_a, people=[zhao])
    port = free_port()
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{port}")
    tick(app, START - DAY)   # the 1-day reminder; the server is away
    with serve(port=port) as box:
        assert tick(app, START + timedelta(minutes=5))["sent"] == 0
    assert box.received == []
    (note,) = notes(email="zhao@example.cn")
    assert note.email_status == "expired" and note.sent_at is None
    assert notes(user_id=world.coordinator_a.id)[0].kind == "reminder_1d"
