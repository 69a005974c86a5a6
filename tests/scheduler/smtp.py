"""A real SMTP server for the tests (aiosmtpd, in a thread of the test process): it keeps
every message it accepts, as the bytes that arrived, with how they arrived (TLS, login).

`serve()` starts one on a free port; `Mailbox.stall` makes it keep a message and then wait
before answering DATA (a sender killed meanwhile never learns it was accepted); `refuse` and
`refuse_rcpt` make it answer DATA or a recipient with a refusal instead."""
import asyncio
import email
import email.policy
import socket
import ssl
import subprocess
import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USERNAME, PASSWORD = "anbao", "s3cret:p@ss"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    tls: bool
    login: str | None

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)


class Mailbox:
    """The handler: what arrived, in order."""

    def __init__(self):
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.arrived = threading.Event()   # set on each DATA
        self.stall = 0.0                   # seconds to wait before answering DATA
        self.refuse: str | None = None     # answer to DATA, e.g. "554 5.7.1 rejected"
        self.refuse_rcpt: dict[str, str] = {}  # address → answer to its RCPT TO
        self.port = 0
        self.url = ""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return self.refuse
        login = session.auth_data.login.decode() if isinstance(session.auth_data,
                                                              LoginPassword) else None
        tls = server.transport.get_extra_info("ssl_object") is not None
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          envelope.original_content, tls, login))
        self.arrived.set()
        if self.stall:
            await asyncio.sleep(self.stall)
        return "250 OK"

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        with self.lock:
            return [r.message for r in self.received]

    def by_message_id(self) -> Counter:
        return Counter(m["Message-ID"] for m in self.messages)

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USERNAME
          and auth_data.password.decode() == PASSWORD)
    # not handled: aiosmtpd answers 235 or 535 itself
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


@contextmanager
def serve(mailbox: Mailbox | None = None, *, port: int | None = None,
          tls_context: ssl.SSLContext | None = None, implicit_tls: bool = False,
          auth: bool = False, require_tls: bool = False):
    """A server on 127.0.0.1: plain; with STARTTLS offered (`tls_context`) and required
    (`require_tls`); TLS from the first byte (`implicit_tls`); a login required, after TLS
    (`auth`)."""
    mailbox = mailbox or Mailbox()
    port = port or free_port()
    options = {}
    if auth:   # over TLS only (aiosmtpd warns about a login in the clear)
        options.update(auth_required=True, authenticator=_authenticate)
    if tls_context is not None and not implicit_tls:
        options.update(tls_context=tls_context, require_starttls=require_tls)
    controller = Controller(mailbox, hostname="127.0.0.1", port=port,
                            server_hostname="mail.anbao.test",
                            ssl_context=tls_context if implicit_tls else None, **options)
    controller.start()
    mailbox.port = port
    scheme = "smtps" if implicit_tls else "smtp+starttls" if tls_context else "smtp"
    mailbox.url = f"{scheme}://127.0.0.1:{port}"
    try:
        yield mailbox
    finally:
        controller.stop()


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (openssl): (certificate, key)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=mail.anbao.test"],
                   check=True, capture_output=True)
    return cert, key


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context
