"""The users table and the settings kept in the database, each change audited, on SQLite and PostgreSQL."""

import pytest
from sqlalchemy.engine import Engine

from etl.store import audit, users
from etl.store.audit import Actor

ADMIN = Actor("it@region.kz", "web")


def test_a_role_is_given_changed_and_taken_away(loaded: Engine) -> None:
    """A person's role is kept in lower case, changed in place and removed; each change is audited in order."""
    assert users.add(loaded, " Press@Karasu.KZ ", "loader", "KZ-KUS-KRS", ADMIN) == "added"
    assert users.find(loaded, "press@karasu.kz") == ("loader", "KZ-KUS-KRS")
    assert users.add(loaded, "press@karasu.kz", "viewer", None, ADMIN) == "changed"
    assert users.listing(loaded)[["person", "role", "territory_code"]].values.tolist() == [
        ["press@karasu.kz", "viewer", None]
    ]
    assert users.remove(loaded, "PRESS@karasu.kz", ADMIN)
    assert not users.remove(loaded, "press@karasu.kz", ADMIN)
    assert users.find(loaded, "press@karasu.kz") is None
    log = audit.entries(loaded)
    assert log[["outcome", "detail"]].values.tolist() == [
        ["removed", "viewer, *"],
        ["changed", "loader, KZ-KUS-KRS → viewer, *"],
        ["added", "loader, KZ-KUS-KRS"],
    ]
    assert set(log["actor"]) == {"it@region.kz"}


@pytest.mark.parametrize(
    ("person", "role", "territory"),
    [("two words", "viewer", None), ("a@b.kz", "owner", None), ("a@b.kz", "viewer", "RU-ALT-ZAR-01")],
)
def test_what_cannot_be_a_user_is_refused(loaded: Engine, person: str, role: str, territory: str | None) -> None:
    """A name with spaces, an unknown role or a settlement's territory is refused; nothing is stored or audited."""
    with pytest.raises(users.UserError):
        users.add(loaded, person, role, territory, ADMIN)
    assert users.listing(loaded).empty and audit.entries(loaded).empty


def test_a_stored_setting_is_audited_only_when_it_changes(engine: Engine) -> None:
    """Saving the ranking's weights records before and after; saving the same again records nothing."""
    assert audit.stored(engine, "ranking_weights") is None
    assert audit.store(engine, ADMIN, "ranking_weights", "response:50", action="weights")
    assert not audit.store(engine, ADMIN, "ranking_weights", "response:50", action="weights")
    assert audit.store(engine, ADMIN, "ranking_weights", "", action="weights")
    assert audit.stored(engine, "ranking_weights") == ""
    assert audit.entries(engine)["detail"].tolist() == ["response:50 → —", "— → response:50"]
