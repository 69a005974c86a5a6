"""The scope matrices of tests/*/test_scope.py: a readable table of expected statuses per
endpoint × role × target, and the routes a matrix must cover."""
import re

import pytest

ROLES = ("admin", "police", "supervisor", "coordinator", "staff")
TARGETS = ("own", "same", "other")


def parse(matrix: str) -> list:
    """One pytest param (method, path, role, target, status) per cell; a cell holds one status
    per target (own, same, other), or one status when the endpoint has no target."""
    cases = []
    for line in [line for line in matrix.strip().splitlines()[1:] if line.strip()]:
        endpoint, *cells = [part.strip() for part in line.split("|")]
        method, path = endpoint.split()
        for role, cell in zip(ROLES, cells, strict=True):
            codes = [int(c) for c in cell.split()]
            if len(codes) == 1:
                cases.append(pytest.param(method, path, role, None, codes[0],
                                          id=f"{method} {path} {role}"))
                continue
            for target, code in zip(TARGETS, codes, strict=True):
                cases.append(pytest.param(method, path, role, target, code,
                                          id=f"{method} {path} {role} {target}"))
    return cases


def routes(app, blueprints: tuple[str, ...], tokens: dict[str, str]) -> set[tuple[str, str]]:
    """(method, path) of every API route of these blueprints, `<int:x_id>` written as the
    matrix writes it (`tokens`)."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in blueprints:
            continue
        path = rule.rule.removeprefix("/api/v1")
        for name, token in tokens.items():
            path = path.replace(name, token)
        found |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def listed(cases, same_as: dict[str, str] | None = None) -> set[tuple[str, str]]:
    """(method, path) of the matrix rows, query strings dropped, specific placeholders mapped
    to the route's (`{draft}` → `{plan}`)."""
    found = set()
    for case in cases:
        path = case.values[1].split("?")[0]
        for specific, general in (same_as or {}).items():
            path = path.replace(specific, general)
        found.add((case.values[0], path))
    return found



def check_answer(response, expected: int, missing=None) -> None:
    """The status the matrix expects, errors in the API's shape, and a 404 that reads as the
    answer `missing` gives for an id that never was, so nothing about the record leaks."""
    assert response.status_code == expected, response.get_data(as_text=True)[:500]
    if expected >= 400:
        body = response.get_json()
        assert body["code"] == expected
        assert set(body) <= {"code", "status", "message", "errors"}
    if expected == 404 and missing is not None:
        assert missing.status_code == 404
        assert missing.get_json()["message"] == response.get_json()["message"]


class Targets:
    """A scene's records by placeholder (`{unit}`, `{item}`, ...) and target (`own`, `same`,
    `other`), and the path of a route template for one of them."""

    targets: dict[str, dict]

    def _target(self, template):
        for name in self.targets:
            if "{" + name + "}" in template:
                return name
        raise AssertionError(template)

    def target_id(self, template, target):
        return self.targets[self._target(template)][target].id

    def path(self, template, target):
        return template.replace("{" + self._target(template) + "}",
                                str(self.target_id(template, target)))


def by_endpoint(cases) -> dict[tuple[str, str], list[tuple[str, str | None, int]]]:
    """The cells of each (method, path): the refusals first, so they meet the scene as it was
    made; then the successes, each changing only its own target."""
    rows: dict[tuple[str, str], list[tuple[str, str | None, int]]] = {}
    for case in cases:
        method, template, role, target, expected = case.values
        rows.setdefault((method, template), []).append((role, target, expected))
    return {key: sorted(cells, key=lambda cell: cell[2] < 300) for key, cells in rows.items()}


def answer(scene, api, method, template, role, target, expected, state):
    """Ask one cell: the status it must have, a hidden record answered like a missing one,
    and a refused write leaving `state()` as it was. The response, for further checks."""
    before = state()
    response = scene.request(api, method, template, role, target)
    missing = None
    if expected == 404:
        path = re.sub(rf"/{scene.target_id(template, target)}(?=[/?.]|$)", "/987654",
                      scene.path(template, target), count=1)
        missing = scene.request(api, method, template, role, target, path=path)
    check_answer(response, expected, missing)
    if method != "GET" and expected >= 400:
        assert state() == before, "a refused write changed something"
    return response
