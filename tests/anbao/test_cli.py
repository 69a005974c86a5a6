"""The `anbao` command: users create and demo."""
import sqlalchemy as sa

from anbao.auth.models import User
from anbao.extensions import db
from units.models import Campus, Jurisdiction, Unit


def test_users_create_makes_a_police_account(runner, make):
    district = make.jurisdiction("天河区分局", "TH")
    result = runner.invoke(args=["users", "create", "--username", "zhao", "--password",
                                 "long-enough-pw", "--role", "police", "--jurisdiction-id",
                                 str(district.id)])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.username == "zhao"))
    assert user.role == "police" and user.jurisdiction_id == district.id
    assert user.password_hash.startswith("$argon2id$")


def test_users_create_supervisor_with_sectors(runner, make):
    city = make.jurisdiction("广州市公安局", "GZ")
    result = runner.invoke(args=["users", "create", "--username", "edu", "--password",
                                 "long-enough-pw", "--role", "supervisor", "--jurisdiction-id",
                                 str(city.id), "--sectors", "school, hospital"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.username == "edu"))
    assert user.sectors == ["school", "hospital"]


def test_users_create_refuses_bad_input_with_a_message(runner):
    result = runner.invoke(args=["users", "create", "--username", "x", "--password", "short",
                                 "--role", "police"])
    assert result.exit_code != 0
    assert "password" in result.output
    result = runner.invoke(args=["users", "create", "--username", "x", "--password",
                                 "long-enough-pw", "--role", "coordinator"])
    assert result.exit_code != 0
    assert "unit_id" in result.output


def test_demo_loads_a_city_once(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    for role in ("admin", "police", "supervisor", "coordinator", "staff"):
        assert db.session.scalar(sa.select(User).where(User.role == role)) is not None
        assert f" {role} " in result.output
    assert db.session.scalar(sa.select(sa.func.count(Jurisdiction.id))
                             .where(Jurisdiction.parent_id.is_not(None))) >= 2
    categories = set(db.session.scalars(sa.select(Unit.category)))
    assert {"school", "hospital", "bank", "museum"} <= categories
    school = db.session.scalar(sa.select(Unit).where(Unit.category == "school"))
    campuses = db.session.scalars(sa.select(Campus).where(Campus.unit_id == school.id)).all()
    assert len(campuses) == 2 and any(c.boarding_students > 0 for c in campuses)
    units_before = db.session.scalar(sa.select(sa.func.count(Unit.id)))
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    assert db.session.scalar(sa.select(sa.func.count(Unit.id))) == units_before
