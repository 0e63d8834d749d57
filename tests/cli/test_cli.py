"""The `pufa` command line through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.main import main

from ..conftest import cli_config


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def test_ask_answers_with_a_numbered_article(runner: CliRunner) -> None:
    result = runner.invoke(main, ["ask", "被狗咬了打狂犬疫苗谁出钱"])
    assert result.exit_code == 0, result.output
    assert "狂犬疫苗" in result.output
    assert "《中华人民共和国" in result.output
    assert "条" in result.output


def test_ask_greets(runner: CliRunner) -> None:
    result = runner.invoke(main, ["ask", "你好"])
    assert result.exit_code == 0
    assert "您好" in result.output
    assert "《" not in result.output


def test_ask_falls_back_honestly(runner: CliRunner) -> None:
    result = runner.invoke(main, ["ask", "今天天气怎么样"])
    assert "答不好" in result.output
    assert "12348" in result.output
    assert "法律明白人" in result.output


def test_ask_json_fields(runner: CliRunner) -> None:
    result = runner.invoke(main, ["ask", "--json", "离婚冷静期是多久"])
    data = json.loads(result.output)
    assert set(data) >= {"reply", "outcome", "entry_id", "score", "alternatives", "citations"}
    assert data["outcome"] == "answered"
    assert data["entry_id"] == "hunyin-cooling-off"
    assert any("民法典" in c for c in data["citations"])
    assert data["alternatives"][0]["entry_id"] == data["entry_id"]


def test_ask_a_file_of_questions(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(
        '{"id": "a", "question": "包工头跑了工钱找哪个要"}\n{"id": "b", "question": "你好"}\n',
        encoding="utf-8",
    )
    result = runner.invoke(main, ["ask", "--file", str(path), "--json"])
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"]
    assert lines[0]["outcome"] == "answered"
    assert lines[1]["outcome"] == "greeting"


def test_ask_a_bad_file_is_a_clean_error(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("not json\n", encoding="utf-8")
    result = runner.invoke(main, ["ask", "--file", str(path)])
    assert result.exit_code == 1
    assert "第 1 行" in result.output
    assert "Traceback" not in result.output


def test_kb_check_json(runner: CliRunner) -> None:
    result = runner.invoke(main, ["kb", "check", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["problems"] == []
    assert {"entries", "topics", "cases", "synonyms", "laws", "articles"} <= set(data["counts"])


def test_kb_export_jsonl(runner: CliRunner, tmp_path: Path) -> None:
    base = cli_config(tmp_path, f"sqlite:///{tmp_path / 'pufa.db'}")
    assert runner.invoke(main, [*base, "init"]).exit_code == 0
    result = runner.invoke(main, [*base, "kb", "export", "--jsonl"])
    assert result.exit_code == 0, result.output
    first = json.loads(result.output.splitlines()[0])
    assert {"id", "topic", "title", "questions", "answer", "citations", "cases"} <= set(first)


def test_bad_config_is_a_clean_error(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[server]\nsimulatr = true\n", encoding="utf-8")
    result = runner.invoke(main, ["--config", str(path), "ask", "你好"])
    assert result.exit_code == 1
    assert "simulatr" in result.output
    assert "Traceback" not in result.output


def test_init_creates_the_database(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    db = tmp_path / "x.db"
    path.write_text(
        f"[database]\nurl = 'sqlite:///{db}'\n[server]\nsimulator = true\n", encoding="utf-8"
    )
    result = runner.invoke(main, ["--config", str(path), "init"])
    assert result.exit_code == 0
    assert db.exists()


def test_chat_reads_lines(runner: CliRunner) -> None:
    result = runner.invoke(main, ["chat"], input="你好\n离婚冷静期是多久\n有用\n退出\n")
    assert result.exit_code == 0
    assert "您好" in result.output
    assert "冷静期" in result.output
    assert "谢谢" in result.output


def test_eval_prints_rates(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text(
        '{"id": "1", "question": "离婚冷静期是多久", "expected": "hunyin-cooling-off"}\n'
        '{"id": "2", "question": "今天天气怎么样", "expected": "none"}\n',
        encoding="utf-8",
    )
    result = runner.invoke(main, ["eval", str(path), "--json", "--baseline"])
    data = json.loads(result.output)
    assert set(data["baseline_bm25"]) == {"top1", "top3"}
    assert data["top1"] == 1.0
    assert data["false_answer_rate_out_of_scope"] == 0.0


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysqlx://nobody@nowhere/db", "数据库地址无效"),
        ("not a url at all", "数据库地址无效"),
        ("postgresql+psycopg://nobody@127.0.0.1:1/none", "连不上数据库"),
    ],
)
def test_a_bad_database_url_is_one_chinese_line(
    runner: CliRunner, tmp_path: Path, url: str, message: str
) -> None:
    result = runner.invoke(main, [*cli_config(tmp_path, url), "user", "list"])
    assert result.exit_code == 1
    assert result.output.startswith(f"错误：{message}"), result.output
    assert "Traceback" not in result.output


def test_only_init_and_serve_create_a_database(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "elsewhere" / "pufa.db"
    db.parent.mkdir()
    base = cli_config(tmp_path, f"sqlite:///{db}")
    for args in (
        ["user", "list"],
        ["push", "list"],
        ["stats", "--from", "2026-01-01", "--to", "2026-01-31"],
    ):
        result = runner.invoke(main, [*base, *args])
        assert result.exit_code == 1, args
        assert "没有找到数据库文件" in result.output
        assert str(db) in result.output
        assert not db.exists()
    assert runner.invoke(main, [*base, "init"]).exit_code == 0
    assert db.exists()
    assert runner.invoke(main, [*base, "user", "list"]).exit_code == 0


def test_chat_plays_a_quiz_to_a_score(runner: CliRunner) -> None:
    from knowledge.quizzes import load_quizzes

    quiz = next(q for q in load_quizzes() if q.name == "宪法答题")
    # A fresh database: the first attempt is number 1, whose number seeds the draw.
    letters = [quiz.question(question_id).answer for question_id in quiz.draw(seed=1)]
    lines = ["宪法答题", letters[0], "欠钱不还怎么办", "继续答题", *letters[1:], "退出"]
    result = runner.invoke(main, ["chat"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    assert "第1题（共5题）" in result.output
    assert "回复“继续答题”接着答第2题" in result.output
    assert "这次答对 5 题，一共 5 题" in result.output
    assert "最好成绩：5/5" in result.output
