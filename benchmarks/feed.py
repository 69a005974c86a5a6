"""Calendar feed benchmark (issue: "Drills and training", not a timed test).

Fills a unit with 1,000 activities (a tenth of them series), then against a real gunicorn
server (the workers `anbao serve` starts by default) measures requests per second for
(a) the unit's feed, unchanged, and (b) a plain response of the same bytes from the same app,
and prints a/b (target ≥ 0.5). Then prints the cold build time of the feed against the time
icalendar alone needs to build and serialise the same events from plain values (target
≤ 1.5×).

    .venv/bin/python benchmarks/feed.py            # a throwaway PostgreSQL database
    ANBAO_DATABASE_URL=sqlite:///... .venv/bin/python benchmarks/feed.py

Uses `wrk` when installed (apt-get install wrk), else a Python load generator.
"""
import http.client
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ACTIVITIES = 1000
SERIES_EVERY = 10
DURATION = float(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = 16
WORKERS = 2  # anbao serve's default


def _database() -> tuple[str, callable]:
    given = os.environ.get("ANBAO_DATABASE_URL")
    if given:
        return given, lambda: None
    import psycopg
    name = f"anbao_bench_{os.getpid()}"
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", drop


def _fill(app) -> tuple[str, object]:
    """The unit with its activities; returns the feed path and the unit."""
    from flask_migrate import upgrade

    from anbao.extensions import db
    from anbao.system import stand_in, system_actor
    from drills import feeds, service
    from units import creditcode
    from units import service as units
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        actor = system_actor()
        place = units.create_jurisdiction(actor, {"name": "基准分局", "code": "BENCH"})
        unit = units.create_unit(actor, {
            "name": "基准测试学校", "credit_code": creditcode.make("12440106MB2C37710"),
            "category": "school", "jurisdiction_id": place.id, "headcount": 1000})
        me = stand_in("coordinator", "bench", unit=unit)
        zone = ZoneInfo(unit.timezone)
        start = datetime.now(zone).replace(hour=9, minute=0, second=0, microsecond=0) \
            - timedelta(days=60)
        for n in range(ACTIVITIES):
            begins = start + timedelta(days=n % 200, hours=n % 8)
            series = n % SERIES_EVERY == 0
            service.create_activity(me, unit, {
                "kind": "drill" if n % 2 else "training",
                **({"scenario": "terror_attack", "format": "functional"} if n % 2
                   else {"topic": "skills"}),
                "title": f"第 {n + 1} 次演练与培训：防暴恐、消防疏散、应急处置",
                "starts_at": begins, "ends_at": begins + timedelta(hours=1, minutes=30),
                "location": f"东校区 {n % 12 + 1} 号楼会议室",
                "description": "演练内容：报警、封控、疏散、处置、恢复。" * 2,
                "rrule": "FREQ=WEEKLY;COUNT=12" if series else None})
        feed = feeds.unit_feed(unit, "zh_CN")
        db.session.commit()
        return f"/calendar/{feed.token}.ics", unit.id


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _hammer(args) -> int:
    port, path, until = args
    conn = http.client.HTTPConnection("127.0.0.1", port)
    done = 0
    while time.monotonic() < until:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
        done += 1
    return done


def _rate(port: int, path: str) -> float:
    if shutil.which("wrk"):
        out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{int(DURATION)}s",
                              f"http://127.0.0.1:{port}{path}"],
                             capture_output=True, text=True, check=True).stdout
        line = next(l for l in out.splitlines() if l.startswith("Requests/sec"))
        return float(line.split()[1])
    _hammer((port, path, time.monotonic() + 1))  # warm up
    until = time.monotonic() + DURATION
    with multiprocessing.Pool(CONNECTIONS) as pool:
        counts = pool.map(_hammer, [(port, path, until)] * CONNECTIONS)
    return sum(counts) / DURATION


def _cold_build(app, unit_id: int) -> tuple[float, float, int]:
    """Seconds to build the feed from the database, and for icalendar alone from values."""
    from icalendar import Calendar, Event

    from anbao.extensions import db
    from drills import feeds
    from drills.models import CalendarFeed
    with app.test_request_context():
        feed = db.session.scalar(db.select(CalendarFeed).where(CalendarFeed.owner_id == unit_id,
                                                               CalendarFeed.kind == "unit"))
        runs = []
        for _ in range(5):
            db.session.expire_all()
            began = time.perf_counter()
            body = feeds.build(feeds.View(feed))
            runs.append(time.perf_counter() - began)
        ours = min(runs)
        # the same events as plain values, built and serialised by icalendar alone
        cal = Calendar.from_ical(body)
        values = [{k: v for k, v in event.property_items(recursive=False)
                   if k not in ("BEGIN", "END")} for event in cal.walk("VEVENT")]
        decoded = [[(k, event.decoded(k) if k not in ("RRULE",) else event[k])
                    for k in dict(item)] for event, item in zip(cal.walk("VEVENT"), values)]
        runs = []
        for _ in range(5):
            began = time.perf_counter()
            out = Calendar()
            out.add("version", "2.0")
            out.add("prodid", feeds.PRODID)
            for props in decoded:
                event = Event()
                for key, value in props:
                    event.add(key, value)
                out.add_component(event)
            out.add_missing_timezones()
            out.to_ical()
            runs.append(time.perf_counter() - began)
        return ours, min(runs), len(decoded)


def main() -> None:
    url, drop = _database()
    instance = tempfile.mkdtemp(prefix="anbao-bench-")
    os.environ.update(ANBAO_DATABASE_URL=url, ANBAO_INSTANCE_PATH=instance)
    server = None
    try:
        from anbao import create_app
        app = create_app()
        path, unit_id = _fill(app)
        with app.test_client() as client:
            body = client.get(path).data
        plain = Path(instance) / "plain.ics"
        plain.write_bytes(body)
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
             "--access-logfile", "-", "benchmarks.app:app"], cwd=ROOT,
            env={**os.environ, "ANBAO_BENCHMARK_PLAIN": str(plain)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        _hammer((port, path, time.monotonic() + 1))  # every worker builds and caches it
        feed_rate = _rate(port, path)
        plain_rate = _rate(port, "/_benchmark/plain.ics")
        ours, alone, events = _cold_build(app, unit_id)
        database = url.split("://")[0].split("+")[0]
        tool = "wrk" if shutil.which("wrk") else "python"
        print(f"database {database}, gunicorn workers {WORKERS}, {CONNECTIONS} connections "
              f"({tool}), feed {len(body) / 1024:.0f} KiB, {events} VEVENTs")
        print(f"(a) feed unchanged:      {feed_rate:8.0f} requests/s")
        print(f"(b) plain same bytes:    {plain_rate:8.0f} requests/s")
        print(f"ratio a/b = {feed_rate / plain_rate:.2f}   (target >= 0.5)")
        print(f"cold build: ours {ours * 1000:.1f} ms, icalendar alone {alone * 1000:.1f} ms, "
              f"ratio = {ours / alone:.2f}   (target <= 1.5)")
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        shutil.rmtree(instance, ignore_errors=True)
        drop()


if __name__ == "__main__":
    main()
