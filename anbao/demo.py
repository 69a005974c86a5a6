"""`anbao demo`: a realistic demo city. Each domain adds its records through LOADERS."""
import sqlalchemy as sa
from flask import current_app

from anbao.auth import service as accounts
from anbao.auth.models import User
from anbao.extensions import db, utcnow
from anbao.system import system_actor

PASSWORD = "anbao-demo-2026"


def _loaders():
    from compliance import demo as compliance_demo
    from drills import demo as drills_demo
    from equipment import demo as equipment_demo
    from hazards import demo as hazards_demo
    from plans import demo as plans_demo
    from reports import demo as reports_demo
    from units import demo as units_demo
    return [units_demo.load, plans_demo.load, equipment_demo.load,
            hazards_demo.load, drills_demo.load, compliance_demo.load, reports_demo.load]


def load() -> list[tuple[str, str, str, str]]:
    """Load the demo once (a second run changes nothing); returns the logins."""
    if db.session.scalar(sa.select(User.id).where(User.username == "admin")) is None:
        actor = system_actor()
        context: dict = {}
        for loader in _loaders():
            loader(actor, context)
        for username, role, note, extra in context["logins"]:
            accounts.create_user(actor, {"username": username, "password": PASSWORD,
                                         "role": role, **extra})
        db.session.commit()
        # what the scheduler would have told everyone by now: reminders, due obligations,
        # hazards and equipment, the police's digest (in-app; email once SMTP is set)
        from scheduler import jobs
        jobs.tick(current_app._get_current_object(), utcnow())
    users = db.session.scalars(sa.select(User).order_by(User.id)).all()
    return [(u.username, PASSWORD, u.role, u.display_name) for u in users]
