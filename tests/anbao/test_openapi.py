"""The OpenAPI document and the interactive docs, served with nothing from other hosts."""
import json
import re
from html.parser import HTMLParser

import pytest

PATHS = {
    "/api/v1/auth/token": {"post", "delete"},
    "/api/v1/me": {"get"},
    "/api/v1/users": {"get", "post"},
    "/api/v1/jurisdictions": {"get", "post"},
    "/api/v1/jurisdictions/{jurisdiction_id}": {"get"},
    "/api/v1/units": {"get", "post"},
    "/api/v1/units/{unit_id}": {"get", "patch"},
    "/api/v1/units/{unit_id}/people": {"get", "post"},
    "/api/v1/people/{person_id}": {"get", "patch"},
    "/api/v1/units/{unit_id}/key-parts": {"get", "post"},
    "/api/v1/key-parts/{key_part_id}": {"get", "patch"},
    "/api/v1/units/{unit_id}/staffing": {"get"},
    "/api/v1/audit": {"get"},
}
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.content_type == "application/json; charset=utf-8"
    return json.loads(response.get_data())


def test_is_valid_openapi_3(spec):
    definitions = pytest.importorskip("schemathesis.specs.openapi.definitions")
    assert spec["openapi"].startswith("3.")
    errors = [str(e) for e in definitions.OPENAPI_30_VALIDATOR.iter_errors(spec)]
    assert errors == []


def test_lists_every_path_of_the_foundation(spec):
    for path, methods in PATHS.items():
        assert path in spec["paths"], path
        assert methods <= set(spec["paths"][path]) & METHODS, path


@pytest.mark.parametrize("path", list(PATHS))
def test_path_parameters_are_documented_as_integers(spec, path):
    for name in re.findall(r"{(\w+)}", path):
        item = spec["paths"][path]
        declared = item.get("parameters", [])
        for method in set(item) & METHODS:
            declared = declared + item[method].get("parameters", [])
        (param,) = [p for p in declared if p.get("name") == name and p.get("in") == "path"]
        assert param["schema"]["type"] == "integer"


def test_documents_answers_and_bodies(spec):
    paths = spec["paths"]
    assert "201" in paths["/api/v1/units"]["post"]["responses"]
    assert "requestBody" in paths["/api/v1/units"]["post"]
    assert "requestBody" in paths["/api/v1/units/{unit_id}"]["patch"]
    assert "422" in paths["/api/v1/units"]["post"]["responses"]
    parameters = {p["name"] for p in paths["/api/v1/units"]["get"]["parameters"]}
    assert {"page", "page_size", "jurisdiction_id", "category", "key_target",
            "key_security_unit", "q"} <= parameters
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_chinese_is_not_escaped(client):
    raw = client.get("/api/v1/openapi.json").get_data()
    assert "安保".encode() in raw


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls, self.inline_scripts = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href", "data-spec-url"):
            if attrs.get(name):
                self.urls.append(attrs[name])
        if tag == "script" and not attrs.get("src"):
            self.inline_scripts += 1


def test_docs_page_uses_only_local_assets(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert not re.search(r"(https?:)?//[a-z0-9.-]+", html.replace("<!doctype html>", ""),
                         re.IGNORECASE), "a URL to another host"
    parser = _Assets()
    parser.feed(html)
    assert parser.inline_scripts == 0  # the CSP allows no inline script
    assert parser.urls
    for url in parser.urls:
        assert url.startswith("/") and not url.startswith("//"), url
        with client.get(url) as asset:  # a file response: closed when read
            assert asset.status_code == 200, url
            body = asset.get_data()
        assert body
        if url.endswith(".css"):
            assert not re.search(rb"url\(\s*['\"]?(https?:)?//", body)
    assert "/api/v1/openapi.json" in parser.urls


def test_docs_page_has_a_strict_content_security_policy(client):
    policy = client.get("/api/v1/docs").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_docs_script_turns_off_the_remote_validator(client):
    with client.get("/static/js/api-docs.js") as response:
        script = response.get_data(as_text=True)
    assert re.search(r"validatorUrl\s*:\s*null", script)
