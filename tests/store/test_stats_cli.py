"""`pufa demo` and `pufa stats`: demo data, the Excel export from the command line, bad dates."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from bot.cli.main import main
from bot.settings import DEFAULT_CONFIG


def _config(tmp_path: Path, simulator: bool) -> Path:
    text = DEFAULT_CONFIG.read_text(encoding="utf-8").replace(
        'url = "sqlite:///pufa.db"', f'url = "sqlite:///{tmp_path / "s.db"}"'
    )
    if not simulator:
        text = text.replace("simulator = true", "simulator = false")
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_demo_data_then_stats_cli_with_excel(tmp_path: Path) -> None:
    runner = CliRunner()
    config = ["--config", str(_config(tmp_path, simulator=True))]
    assert runner.invoke(main, [*config, "init"]).exit_code == 0
    seeded = runner.invoke(main, [*config, "demo-data", "--days", "60", "--people", "40"])
    assert seeded.exit_code == 0, seeded.output
    out = tmp_path / "figures.xlsx"
    today = datetime.now(UTC).date()
    span = ["--from", f"{today.year - 1}-01-01", "--to", f"{today.year + 1}-01-01"]
    result = runner.invoke(
        main,
        [
            *config,
            "stats",
            *span,
            "--xlsx",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "未计入：演示数据" in result.output  # made-up rows never reach the report by default
    assert "解答群众法律咨询0人次" in result.output
    assert load_workbook(out)["概况"]["B3"].value == 0
    shown = runner.invoke(
        main,
        [
            *config,
            "stats",
            *span,
            "--demo",
        ],
    )
    assert "编造的演示数据" in shown.output
    assert "（含演示数据，不能用于汇报）" in shown.output
    assert "直接解答" in shown.output
    assert "answered" not in shown.output
    cleared = runner.invoke(main, [*config, "demo-data", "--clear"])
    assert cleared.exit_code == 0


def test_demo_data_refused_in_production(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "PUFA_WECHAT_TOKEN": "t",
        "PUFA_WECHAT_AES_KEY": "k" * 43,
        "PUFA_WECHAT_APPID": "wx",
        "PUFA_SECRET_KEY": "s",
    }.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(
        main, ["--config", str(_config(tmp_path, simulator=False)), "demo-data"]
    )
    assert result.exit_code == 1
    assert "正式部署" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["--from", "2026-13-01", "--to", "2026-12-01"],
        ["--from", "2026-12-01", "--to", "2026-01-01"],
    ],
)
def test_stats_bad_dates(tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(
        main, ["--config", str(_config(tmp_path, simulator=True)), "stats", *args]
    )
    assert result.exit_code == 2
    assert "日期" in result.output
