from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.settings import DEFAULT_CONFIG, Secrets, Settings, load_settings
from bot.settings import WeChat as WeChatSettings
from bot.store.storage import Store
from bot.store.tables import metadata
from bot.web.app import create_app
from knowledge.kb import KnowledgeBase, load_knowledge
from knowledge.matcher import Matcher

from .consolekit import Auth, add_people
from .standin import StandIn, serve
from .wechat import AES_KEY, APPID, TOKEN, WeChat

PG_URL = os.environ.get("PUFA_TEST_DATABASE_URL", "")


@pytest.fixture(autouse=True)
def fast_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """scrypt costs a good part of a second per account; tests create hundreds."""
    monkeypatch.setattr("bot.store.users.HASH_METHOD", "pbkdf2:sha256:1000")


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.fixture(scope="session")
def matcher(kb: KnowledgeBase) -> Matcher:
    return Matcher(kb, load_settings().matching.engine())


def _database_urls() -> list[object]:
    urls: list[object] = ["sqlite"]
    urls.append(
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(not PG_URL, reason="PUFA_TEST_DATABASE_URL not set"),
        )
    )
    return urls


@pytest.fixture(params=_database_urls())
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A real SQLite file, and PostgreSQL too when PUFA_TEST_DATABASE_URL is set."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'pufa.db'}"
        return
    _empty(PG_URL)
    yield PG_URL
    _empty(PG_URL)


def _empty(url: str) -> None:
    """Drop pufa's tables and the migration record, so the next test starts from nothing."""
    engine = create_engine(url)
    metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


def make_settings(db_url: str, mode: str = "safe", simulator: bool = False) -> Settings:
    base = load_settings()
    return dataclasses.replace(
        base,
        wechat=dataclasses.replace(base.wechat, encryption_mode=mode),
        database=dataclasses.replace(base.database, url=db_url),
        server=dataclasses.replace(
            base.server,
            simulator=simulator,
            journal=str(Path(tempfile.mkdtemp(prefix="pufa-journal-")) / "journal.db"),
        ),
        secrets=Secrets(token=TOKEN, appid=APPID, aes_key=AES_KEY, secret_key="test-secret-key"),
    )


@pytest.fixture(params=["safe"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def app(db_url: str, mode: str, matcher: Matcher):  # type: ignore[no-untyped-def]
    application = create_app(make_settings(db_url, mode), matcher=matcher)
    yield application
    application.extensions["pufa"].store.dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def store(app) -> Store:  # type: ignore[no-untyped-def]
    return app.extensions["pufa"].store


@pytest.fixture
def wechat(client, mode: str) -> WeChat:  # type: ignore[no-untyped-def]
    return WeChat(client, mode=mode)


__all__ = ["WeChatSettings", "cli_config", "make_settings"]


def cli_config(tmp_path: Path, url: str) -> list[str]:
    """`--config` arguments for a copy of the default configuration pointing at `url`."""
    config = tmp_path / "pufa.toml"
    config.write_text(
        DEFAULT_CONFIG.read_text(encoding="utf-8").replace(
            'url = "sqlite:///pufa.db"', f'url = "{url}"'
        ),
        encoding="utf-8",
    )
    return ["--config", str(config)]


@pytest.fixture
def people(store: Store) -> None:
    """The console's four staff accounts, one per role."""
    add_people(store.engine)


@pytest.fixture
def auth(client, people) -> Auth:  # type: ignore[no-untyped-def]
    return Auth(client)


@pytest.fixture
def standin() -> Iterator[tuple[StandIn, str]]:
    """The WeChat and WeCom stand-in on 127.0.0.1, and its base URL."""
    fake = StandIn()
    server, url = serve(fake)
    yield fake, url
    server.shutdown()
    server.server_close()
