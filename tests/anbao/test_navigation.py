"""Every page of the product is reachable from the navigation of the roles that may use it:
each demo user starts at their home and follows links (never a form), and together they reach
every page the service has; no link they meet leads to an error, and every page they see has a
label for each field and a caption for each table."""
import re
from collections import Counter, deque
from html import unescape
from urllib.parse import urlsplit

from flask import current_app
from werkzeug.exceptions import MethodNotAllowed, NotFound

from anbao import demo
from tests.accessibility import uncaptioned, unlabelled
from tests.anbao.test_views import CSRF

PAGE_BLUEPRINTS = {"web", "auth_views", "units_views", "plans_views", "equipment_views",
                   "hazards_views", "drills_views", "feeds", "compliance_views", "home_views",
                   "reports_views", "outbox_views"}
# Pages no link needs to lead to, and why
NOT_LINKED = {
    "web.api_docs_assets": "the API docs page's own scripts and styles",
    "web.health": "for load balancers",
    "auth_views.login": "where the logged-out land",
    "feeds.feed": "the calendar app polls it: the page shows its whole (webcal/https) address",
}
SKIP = re.compile(r"^/(static|api/v1/(?!docs$))")
DOWNLOAD = re.compile(r"^/attachments/|\.(ics|xlsx|pdf)$")  # reached, not fetched
PER_ENDPOINT = 2  # links followed to each page per user: the menus, not every record
USERS = ("admin", "police", "police_yx", "supervisor", "coordinator", "coordinator_h", "staff")


def login(client, username):
    client.environ_base["REMOTE_ADDR"] = f"10.9.{USERS.index(username)}.1"
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"username": username, "password": demo.PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302


def crawl(client, adapter) -> set[str]:
    """The pages a user reaches by links from their home; each link must answer."""
    seen, reached, followed = set(), set(), Counter()
    queue = deque(["/"])
    while queue:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code == 302:
            queue.append(response.headers["Location"])
            continue
        assert response.status_code == 200, (url, response.status_code)
        if not response.mimetype == "text/html":
            continue
        html = response.get_data(as_text=True)
        assert unlabelled(html) == [] and uncaptioned(html) == 0, url
        for link in re.findall(r'href="(/[^"#]*)', html):
            link = unescape(link)
            path = urlsplit(link).path
            if link in seen or SKIP.search(path) or path in ("/logout",):
                continue
            seen.add(link)
            try:
                endpoint, _args = adapter.match(path, method="GET")
            except (NotFound, MethodNotAllowed):
                raise AssertionError(f"{url} links to {link}, which is no page")
            if endpoint.split(".")[0] not in PAGE_BLUEPRINTS:
                continue  # stylesheets and icons
            reached.add(endpoint)
            if followed[endpoint] < PER_ENDPOINT and not DOWNLOAD.search(path):
                followed[endpoint] += 1
                queue.append(link)
    return reached


def test_every_page_is_reachable_from_some_roles_navigation(client):
    demo.load()
    adapter = current_app.url_map.bind("localhost")
    reached: dict[str, set[str]] = {}
    for username in USERS:
        login(client, username)
        for endpoint in crawl(client, adapter):
            reached.setdefault(endpoint, set()).add(username)
        token = CSRF.search(client.get("/notifications").get_data(as_text=True)).group(1)
        client.post("/logout", data={"csrf_token": token})
    pages = {rule.endpoint for rule in current_app.url_map.iter_rules()
             if "GET" in rule.methods and rule.endpoint.split(".")[0] in PAGE_BLUEPRINTS}
    missing = pages - set(reached) - set(NOT_LINKED)
    assert not missing, f"no link leads to: {sorted(missing)}"
