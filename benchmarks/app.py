"""The Anbao app as `anbao serve` runs it, plus one route for the benchmark's baseline: the
bytes of a file (ANBAO_BENCHMARK_PLAIN) answered plainly, as fast as Flask can."""
import os

from anbao import create_app

app = create_app()
_plain = open(os.environ["ANBAO_BENCHMARK_PLAIN"], "rb").read()


@app.route("/_benchmark/plain.ics")
def plain():
    return app.response_class(_plain, mimetype="text/calendar; charset=utf-8")
