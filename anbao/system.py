"""The actors for work done by the system itself (CLI, demo, scheduler)."""
from types import SimpleNamespace


def stand_in(role: str, username: str = "system", unit=None, jurisdiction=None,
             sectors=()) -> SimpleNamespace:
    """An actor with a role and a scope but no account: the demo's coordinators and police
    before their logins exist, scripts that act for a unit. Audit records `username`."""
    return SimpleNamespace(id=None, username=username, role=role,
                           unit_id=unit.id if unit is not None else None,
                           jurisdiction_id=jurisdiction.id if jurisdiction is not None else None,
                           sectors=list(sectors), is_authenticated=True)


def system_actor():
    """An admin-scoped actor that audit records as `system`."""
    return stand_in("admin")
