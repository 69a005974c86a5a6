"""The `anbao` command: a Flask CLI group (db, users, demo, serve, scheduler)."""
import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from anbao.extensions import db


def _create_app():
    from anbao import create_app
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True,
             add_version_option=False)
def main():
    """Anbao (安保) command line."""


def register(app) -> None:
    app.cli.add_command(users)
    app.cli.add_command(demo)
    app.cli.add_command(serve)
    from scheduler.cli import scheduler
    app.cli.add_command(scheduler)


@click.group()
def users():
    """Manage user accounts."""


@users.command("create")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True,
              type=click.Choice(["admin", "police", "supervisor", "coordinator", "staff"]))
@click.option("--unit-id", type=int)
@click.option("--jurisdiction-id", type=int)
@click.option("--sectors", help="Unit categories, comma separated (supervisors)")
@click.option("--display-name", default="")
@click.option("--email")
@with_appcontext
def create_user(username, password, role, unit_id, jurisdiction_id, sectors, display_name,
                email):
    """Create a user account (as the system)."""
    from marshmallow import ValidationError
    from werkzeug.exceptions import HTTPException

    from anbao.auth import service
    from anbao.auth.schemas import UserCreateSchema
    from anbao.system import system_actor

    raw = {"username": username, "password": password, "role": role,
           "display_name": display_name, "unit_id": unit_id,
           "jurisdiction_id": jurisdiction_id, "email": email,
           "sectors": [s.strip() for s in sectors.split(",") if s.strip()] if sectors else None}
    try:
        data = UserCreateSchema().load({k: v for k, v in raw.items() if v is not None})
        user = service.create_user(system_actor(), data)
        db.session.commit()
    except ValidationError as err:
        raise click.ClickException(f"invalid values: {err.messages}") from err
    except HTTPException as err:
        detail = getattr(err, "data", {}) or {}
        raise click.ClickException(
            f"{detail.get('message') or err.description} {detail.get('errors') or ''}".strip()
        ) from err
    click.echo(f"created user {user.username} (id {user.id}, role {user.role})")


@click.command()
@with_appcontext
def demo():
    """Bring the database up to date and load a demo city; prints the logins."""
    from flask_migrate import upgrade

    from anbao import demo as demo_data
    upgrade()
    logins = demo_data.load()
    click.echo("Demo logins (username / password / role):")
    for username, password, role, note in logins:
        click.echo(f"  {username:<14} {password:<18} {role:<12} {note}")
    click.echo(f"Open {current_app.config['BASE_URL']}/ after `anbao serve`.")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def serve(host, port, workers):
    """Run the production WSGI server (gunicorn)."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")

        def load(self):
            return _create_app()

    click.echo(f"Anbao listening on http://{host}:{port}/")
    Server().run()
