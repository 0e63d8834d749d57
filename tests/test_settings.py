"""Settings: typed, frozen, strict about unknown keys, secrets only from the environment."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.main import main
from bot.errors import SettingsError
from bot.settings import DEFAULT_CONFIG, documented_keys, load_settings
from bot.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
PROD_ENV = {
    "PUFA_WECHAT_TOKEN": "prod-token",
    "PUFA_WECHAT_APPID": "wxprod",
    "PUFA_WECHAT_SECRET": "app-secret-value",
    "PUFA_WECHAT_AES_KEY": "k" * 43,
    "PUFA_SECRET_KEY": "flask-secret-value",
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_local_default_has_the_demo_township() -> None:
    settings = load_settings(environ={})
    assert settings.township.name == "苍岭镇"
    assert len(settings.township.villages) == 8
    assert settings.server.simulator is True
    assert settings.database.url.startswith("sqlite")


def test_settings_are_frozen() -> None:
    settings = load_settings(environ={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.township.name = "x"  # type: ignore[misc]


def _flatten(value: object, prefix: str = "") -> set[str]:
    keys: set[str] = set()
    if isinstance(value, dict):
        for name, inner in value.items():
            keys.add(prefix + name)
            keys |= _flatten(inner, f"{prefix}{name}.")
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        keys |= _flatten(value[0], prefix)
    return keys


def test_example_config_documents_every_setting() -> None:
    example = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    present = _flatten(example)
    sections = {key.split(".")[0] for key, _ in documented_keys()}
    for key, help_text in documented_keys():
        assert key in present, f"{key} missing from config.example.toml"
        assert help_text, f"{key} has no help text"
    assert present - sections <= {key for key, _ in documented_keys()}


def test_example_config_loads_with_production_secrets() -> None:
    settings = load_settings(ROOT / "config.example.toml", environ=PROD_ENV)
    assert settings.server.simulator is False
    assert settings.secrets.token == "prod-token"


def test_unknown_key_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "[wechat]\nencryption_mod = 'safe'\n")
    with pytest.raises(SettingsError, match="encryption_mod"):
        load_settings(path, environ=PROD_ENV)


def test_unknown_section_is_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="wechatt"):
        load_settings(write(tmp_path, "[wechatt]\n"), environ=PROD_ENV)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[server]\nport = '8000'\n", "server.port"),
        ("[server]\nsimulator = 1\n", "server.simulator"),
        ("[matching]\nanswer_threshold = 'high'\n", "matching.answer_threshold"),
        ("[township]\nvillages = 'a'\n", "township.villages"),
        ("[[township.villages]]\nname = 3\n", "township.villages[0].name"),
        ("[wechat]\nencryption_mode = 'aes'\n", "wechat.encryption_mode"),
    ],
)
def test_wrong_type_or_value_is_named(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(SettingsError, match=re.escape(key)):
        load_settings(write(tmp_path, text), environ=PROD_ENV)


def test_production_web_without_token_refuses_to_start(tmp_path: Path) -> None:
    env = {k: v for k, v in PROD_ENV.items() if k not in ("PUFA_WECHAT_TOKEN", "PUFA_SECRET_KEY")}
    settings = load_settings(write(tmp_path, "[server]\nsimulator = false\n"), environ=env)
    with pytest.raises(SettingsError, match="PUFA_WECHAT_TOKEN、PUFA_SECRET_KEY"):
        create_app(settings)


def test_answering_needs_no_wechat_secrets(tmp_path: Path) -> None:
    """`pufa --config config.example.toml ask …` works before any secret is set."""
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["--config", str(ROOT / "config.example.toml"), "ask", "离婚冷静期多久"],
        env={name: "" for name in PROD_ENV},
    )
    assert result.exit_code == 0, result.output
    assert "民法典" in result.output


def test_secrets_are_masked_when_printed() -> None:
    settings = load_settings(ROOT / "config.example.toml", environ=PROD_ENV)
    shown = repr(settings)
    for value in PROD_ENV.values():
        assert value not in shown


def test_config_chosen_by_environment(tmp_path: Path) -> None:
    path = write(tmp_path, "[township]\nname = '测试镇'\n[server]\nsimulator = true\n")
    assert load_settings(environ={"PUFA_CONFIG": str(path)}).township.name == "测试镇"
    assert load_settings(environ={}).source == str(DEFAULT_CONFIG)


def test_bad_toml_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="TOML"):
        load_settings(write(tmp_path, "[server\n"), environ=PROD_ENV)
