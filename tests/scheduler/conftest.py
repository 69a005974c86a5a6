"""A real SMTP server per test, the outbox's email going to it (ANBAO_SMTP_URL)."""
import pytest

from tests.scheduler.smtp import make_certificate, serve


@pytest.fixture
def mailbox(app, monkeypatch):
    """A plain SMTP server on 127.0.0.1; the app sends to it."""
    with serve() as box:
        monkeypatch.setitem(app.config, "SMTP_URL", box.url)
        yield box


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    """A self-signed certificate and its key, for servers speaking TLS."""
    return make_certificate(tmp_path_factory.mktemp("tls"))
