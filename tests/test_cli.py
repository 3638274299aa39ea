"""The command line as a curator or a script uses it: `main` in-process with its real output,
and two real processes (exit status and start-up of the process itself)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import KNOWLEDGE, ROOT, cli, command_env, run_bot


def test_ask_json_has_exactly_the_promised_shape() -> None:
    out = cli("ask", "sectoin 45 defense for a kid runner", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {
        "query",
        "answered",
        "kind",
        "reply",
        "unit",
        "offence",
        "topic",
        "results",
    }
    assert data["query"] == "sectoin 45 defense for a kid runner"
    assert data["answered"] is True and data["topic"] == "msa-s45-defence"
    assert data["results"][0]["id"] == "msa-s45-defence"
    assert data["reply"].startswith("Section 45 defence") and len(data["reply"]) <= 1000
    assert data["unit"] is None or data["unit"].startswith("msa-s45-defence#")
    for item in data["results"]:
        assert set(item) == {"id", "title", "score"}
        assert isinstance(item["score"], float)


def test_ask_top_k_and_refusal() -> None:
    data = json.loads(cli("ask", "cuckooing", "--json", "--top", "5").stdout)
    assert len(data["results"]) == 5
    refused = json.loads(cli("ask", "best pizza in the town centre", "--json").stdout)
    assert refused["answered"] is False
    assert len(refused["results"]) <= 3


def test_ask_text_is_the_first_reply() -> None:
    out = cli("ask", "signs of cuckooing").stdout
    reply = json.loads(cli("ask", "signs of cuckooing", "--json").stdout)["reply"]
    assert out.startswith(reply + "\n")  # then the buttons, as numbered choices
    assert "Do now" in out and "Source: " in out and "Reviewed " in out
    assert "1. Full topic" in out


def test_eval_json_keys() -> None:
    out = cli("eval", str(KNOWLEDGE / "eval" / "queries.jsonl"), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {
        "n",
        "top1",
        "top3",
        "mrr",
        "answer_ok",
        "oos_rejection",
        "reply_chars",
        "in_scope_answered",
        "latency_ms",
        "index_build_ms",
    }
    assert set(data["latency_ms"]) == {"p50", "p99"}
    assert set(data["reply_chars"]) == {"p50", "p90"}
    assert data["n"] >= 200


def test_eval_rejects_bad_lines(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"query": "x", "expected": null}\nnot json\n')
    out = cli("eval", str(bad))
    assert out.returncode == 2 and "bad.jsonl:2" in out.stderr


def test_kb_check_clean_on_the_real_knowledge_base() -> None:
    out = cli("kb", "check")
    assert out.returncode == 0, out.stdout
    assert out.stdout.strip().endswith("0 errors, 0 warnings")


def test_kb_check_fails_with_located_problems(tmp_path: Path) -> None:
    (tmp_path / "topics").mkdir()
    (tmp_path / "topics" / "broken.md").write_text("---\nid: broken\ntitle: x\n---\n")
    out = cli("kb", "check", KNOWLEDGE_DIR=str(tmp_path))
    assert out.returncode == 1
    assert "broken.md:3: title:" in out.stdout


def test_kb_export_lists_every_entry() -> None:
    out = cli("kb", "export")
    entries = json.loads(out.stdout)
    assert len(entries) >= 47
    assert set(entries[0]) == {
        "id",
        "title",
        "category",
        "aliases",
        "keywords",
        "summary",
        "body",
        "sources",
        "reviewed",
        "reviewed_by",
    }
    assert all(e["reviewed_by"] for e in entries)  # every entry names the reviewing role


def test_console_reads_piped_lines_until_end_of_input() -> None:
    out = cli(stdin="what is cuckooing\n1\n/topics\n1\nweather in leeds\n/more\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Cuckooing") and "1. Full topic" in out.stdout
    assert "== Cuckooing" in out.stdout  # the full topic, opened by its number
    assert "Legislation and powers:" in out.stdout
    assert "not sure" in out.stdout.lower()


def test_console_stops_at_quit() -> None:
    out = cli("console", stdin="/quit\nwhat is cuckooing\n")
    assert out.returncode == 0 and "Cuckooing" not in out.stdout


def test_bad_setting_is_named() -> None:
    out = run_bot("ask", "x", TELEGRAM_BOT_TOKEN="not-a-token")  # a real process's exit status
    assert out.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in out.stderr


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "python").exists(), reason="needs the venv")
def test_make_run_serves_the_terminal_chat_when_piped() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    out = subprocess.run(
        ["make", "--no-print-directory", "run"],
        input="what is cuckooing\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "Cuckooing" in out.stdout


@pytest.mark.parametrize(
    ("variable", "value"), [("TIMEZONE", "Mars/Olympus_Mons"), ("LOG_LEVEL", "LOUD")]
)
def test_a_bad_setting_stops_every_command_naming_the_variable(
    variable: str, value: str, tmp_path: Path
) -> None:
    commands = [
        [],
        ["console"],
        ["serve"],
        ["ask", "cuckooing"],
        ["eval", str(KNOWLEDGE / "eval" / "queries.jsonl")],
        ["kb", "check"],
        ["notes", "verify"],
        ["db", "version"],
        ["backup", "--out", str(tmp_path / "copy")],
    ]
    env = {variable: value, "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"}
    for argv in commands:
        out = cli(*argv, **env)
        assert out.returncode == 2, argv
        assert f"{variable}: " in out.stderr and repr(value) in out.stderr, argv
        assert out.stdout == "", argv
    doctor = cli("doctor", **env)
    assert doctor.returncode == 1
    assert doctor.stdout.startswith(f"FAIL  settings: {variable}: ")
    assert not (tmp_path / "bot.db").exists()  # stopped before anything was opened


def test_output_piped_into_a_reader_that_stops_early_is_no_crash() -> None:
    """`run_bot.py eval FILE | head -3`: the reader leaves, the command ends quietly."""
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "run_bot.py"), "kb", "export"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=command_env(),
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the command writes a byte: its first write finds no reader
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert "Traceback" not in err
