"""Connecting to PostgreSQL: sslmode is honoured, and a password is never shown or logged."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from desk.db.engine import describe, parse_url
from desk.domain.errors import DatabaseUnavailable
from desk.services.database import location_text, open_database
from tests.helpers.fixtures import PG_URL
from tests.reliability.test_malformed_files import desk

SECRET = "Sup3r-Secret-PW"
pytestmark = pytest.mark.pg


def with_query(url: str, **query: str) -> str:
    return make_url(url).update_query_dict(query).render_as_string(hide_password=False)


def with_password(url: str, user: str | None = None) -> str:
    parsed = make_url(url)
    return parsed.set(username=user or parsed.username, password=SECRET).render_as_string(
        hide_password=False)


def test_sslmode_disable_connects(pg_database_url: str) -> None:
    engine = open_database(with_query(pg_database_url, sslmode="disable"))
    try:
        assert "sslmode" not in location_text(engine)
    finally:
        engine.dispose()


def test_sslmode_require_against_a_server_without_ssl_says_so(pg_database_url: str) -> None:
    with pytest.raises(DatabaseUnavailable) as refused:
        open_database(with_query(pg_database_url, sslmode="require"))
    assert "encryption" in str(refused.value) and "SSL mode “require”" in str(refused.value)


def test_an_unknown_sslmode_is_named(pg_database_url: str) -> None:
    with pytest.raises(DatabaseUnavailable, match="unknown sslmode"):
        open_database(with_query(pg_database_url, sslmode="sometimes"))


@pytest.mark.parametrize("where", ["unknown user", "missing database", "closed port"])
def test_a_password_never_appears_in_errors_logs_or_the_status_bar(
    pg_database_url: str, where: str, caplog: pytest.LogCaptureFixture
) -> None:
    url = {
        "unknown user": with_password(pg_database_url, user="nobody_here"),
        "missing database": with_password(
            make_url(pg_database_url).set(database="no_such_db").render_as_string(False)),
        "closed port": with_password(
            make_url(PG_URL).set(port=1, database="x").render_as_string(False)),
    }[where]
    with caplog.at_level(logging.DEBUG), pytest.raises(DatabaseUnavailable) as refused:
        open_database(url)
    assert SECRET not in str(refused.value)
    assert SECRET not in caplog.text
    assert SECRET not in describe(parse_url(url))
    if where == "unknown user":
        assert "user name or password" in str(refused.value)


def test_the_command_line_never_echoes_the_password(pg_database_url: str, tmp_path: Path) -> None:
    env = {"DESK_DATA_DIR": str(tmp_path / "data"), "DESK_CONFIG_DIR": str(tmp_path / "cfg")}
    for url in (with_password(pg_database_url, user="nobody_here"),
                with_password(make_url(PG_URL).set(port=1).render_as_string(False)),
                with_query(with_password(pg_database_url), sslmode="require")):
        result = desk("user", "list", "--db", url, env=env)
        assert result.returncode != 0
        assert SECRET not in result.stderr + result.stdout
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    logs = tmp_path / "data" / "logs"
    for log in logs.rglob("*") if logs.exists() else []:
        assert SECRET not in log.read_text("utf-8", "replace")


def test_a_new_workstation_keeps_sslmode_but_never_writes_the_password(
    pg_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desk import config
    from desk.services import workstation

    kept: dict[str, str] = {}
    monkeypatch.setattr(config, "store_password",
                        lambda url, password: kept.setdefault("password", password) == password)
    server = make_url(pg_database_url)
    details = workstation.ConnectionDetails(
        host=server.host or "127.0.0.1", port=server.port or 5432,
        database=server.database or "", user=server.username or "postgres",
        password=SECRET, sslmode="require",
    )
    with pytest.raises(DatabaseUnavailable, match="encryption"):
        workstation.probe_database(details)
    saved = workstation.save_connection(
        workstation.ConnectionDetails(**{**details.__dict__, "sslmode": "disable"}), "front-1")
    written = Path(saved.config_file).read_text(encoding="utf-8")
    assert "sslmode=disable" in written and SECRET not in written
    assert kept == {"password": SECRET} and saved.password_storage == "keyring"
    assert SECRET not in repr(saved)
