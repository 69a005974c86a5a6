"""Security in the page: the session cookie is HttpOnly and SameSite=Lax everywhere and Secure
when the service is served over HTTPS (its address, or behind a trusted proxy that says so,
which also turns on Strict-Transport-Security); the API docs page obeys the CSP too."""
import re

from anbao import create_app


def cookie_of(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))


def test_the_session_cookie_is_httponly_and_lax(client):
    cookie = cookie_of(client.get("/login"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the test app runs on http://
    assert "Strict-Transport-Security" not in client.get("/login").headers


def https_app(monkeypatch, tmp_path, proxies: str):
    monkeypatch.setenv("ANBAO_BASE_URL", "https://anbao.example.org")
    monkeypatch.setenv("ANBAO_TRUSTED_PROXIES", proxies)
    monkeypatch.setenv("ANBAO_INSTANCE_PATH", str(tmp_path))
    return create_app({"TESTING": True, "SECRET_KEY": "x",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


def test_behind_an_https_proxy_cookies_are_secure_and_hsts_is_sent(monkeypatch, tmp_path):
    client = https_app(monkeypatch, tmp_path, "1").test_client()
    response = client.get("/login", headers=FORWARDED)
    assert "Secure" in cookie_of(response)  # the public address is https
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in client.get("/login").headers  # plain http


def test_forwarded_headers_count_only_from_a_trusted_proxy(monkeypatch, tmp_path):
    client = https_app(monkeypatch, tmp_path, "0").test_client()
    response = client.get("/login", headers=FORWARDED)
    assert "Strict-Transport-Security" not in response.headers


def test_the_api_docs_page_has_no_inline_script_and_follows_the_language(client):
    response = client.get("/api/v1/docs")
    html = response.get_data(as_text=True)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) and "<style" not in html
    assert '<html lang="zh-CN">' in html and "favicon.svg" in html
    english = client.get("/api/v1/docs", headers={"Accept-Language": "en"})
    assert '<html lang="en">' in english.get_data(as_text=True)
