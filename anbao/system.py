"""The actor for work done by the system itself (CLI, demo, scheduler)."""
from types import SimpleNamespace


def system_actor():
    """An admin-scoped actor that audit records as `system`."""
    return SimpleNamespace(id=None, username="system", role="admin", unit_id=None,
                           jurisdiction_id=None, sectors=[], is_authenticated=True)
