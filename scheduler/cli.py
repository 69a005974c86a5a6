"""`anbao scheduler run` and `anbao scheduler tick --now ISO`."""
import logging
from datetime import datetime, timezone

import click
from flask import current_app
from flask.cli import with_appcontext


@click.group()
def scheduler():
    """The scheduler: reminders, the daily sweep and email."""


@scheduler.command("run")
@with_appcontext
def run():
    """Run the jobs as the leader; wait while another instance leads."""
    from scheduler import process
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    process.run(current_app._get_current_object())


def _instant(_ctx, _param, value):
    if value is None:
        return datetime.now(timezone.utc)
    try:
        instant = datetime.fromisoformat(value)
    except ValueError as err:
        raise click.BadParameter(f"not an ISO 8601 date-time: {value}") from err
    if instant.tzinfo is None:
        raise click.BadParameter("give the offset, e.g. 2027-03-01T09:00:00+08:00")
    return instant.astimezone(timezone.utc)


@scheduler.command("tick")
@click.option("--now", callback=_instant, help="The instant, ISO 8601 with an offset "
              "(default: now).")
@with_appcontext
def tick(now):
    """Run every job once as of an instant."""
    from scheduler import jobs
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    done = jobs.tick(current_app._get_current_object(), now)
    click.echo(" ".join(f"{name}={count}" for name, count in done.items()))
    if None in done.values():
        raise SystemExit(1)
