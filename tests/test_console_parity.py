"""The terminal chat is the whole product: driven through piped input, as a user would."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support import cli


def chat(url: str, *lines: str) -> str:
    out = cli("console", DATABASE_URL=url, stdin="\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_help_lists_every_officer_feature(tmp_path: Path) -> None:
    text = chat(f"sqlite:///{tmp_path / 'bot.db'}", "/help")
    for command in (
        "/check",
        "/refer",
        "/note",
        "/mynotes",
        "/amend",
        "/quiz",
        "/refresh",
        "/progress",
        "/topics",
        "/cancel",
    ):
        assert f"  {command}" in text, command
    assert "Unknown command" not in chat(f"sqlite:///{tmp_path / 'bot.db'}", "/check", "/refer")


def test_a_note_from_the_terminal_joins_the_bots_chain(db_url: str) -> None:
    text = chat(
        db_url,
        "/note Two lads outside 9 Birch Walk, Newtown, swapping a bag",
        "2",  # category: child or runner seen
        "1",  # urgency: routine
        "51.50123, -0.12345",
        "skip",  # grading
        "what is cuckooing",  # a question mid-note: answered, the note stays open
        "save",
    )
    assert "\nCuckooing" in text and "(Your note is still open.)" in text  # the first reply
    assert "Saved as FN-" in text
    ref = text.split("Saved as ", 1)[1].split(",", 1)[0]
    amended = chat(
        db_url,
        f"/amend {ref}",
        "Two lads outside 11 Birch Walk",
        "wrong house number",
        "save",
        f"/mynotes {ref}",
        "/mynotes",
    )
    assert "Linked to " + ref in amended
    full = amended
    assert "| Two lads outside 9 Birch Walk, Newtown, swapping a bag" in full
    assert "Location: 51.50123, -0.12345" in full and "Category: Child or runner seen" in full
    assert "Corrected by FN-" in full and "| Two lads outside 11 Birch Walk" in full
    assert "Reason: wrong house number" in full
    verify = cli("notes", "verify", DATABASE_URL=db_url)
    assert verify.returncode == 0 and "2 entries" in verify.stdout
    exported = json.loads(cli("notes", "export", "--format", "json", DATABASE_URL=db_url).stdout)
    [first, second] = exported["notes"]
    assert first["ref"] == ref and second["amends"] == ref
    assert first["author_name"].startswith("terminal")


def test_checklist_then_save_it_as_a_note(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    text = chat(
        url,
        "/check child",
        "1 3",
        "3",
        "done",
        "note",
        "skip",
        "skip",
        "skip",
        "skip",
        "save",
        "/mynotes",
    )
    assert "[x] 1. Missing, or found far from home" in text
    assert "Seen (1 of " in text and "What this calls for:" in text
    assert "Scene checklist (child): Missing, or found far from home." in text
    assert "Saved as FN-" in text


def test_referral_route_with_back(tmp_path: Path) -> None:
    text = chat(f"sqlite:///{tmp_path / 'bot.db'}", "/refer", "1", "2", "2", "2", "2")
    assert "Referral route, question 1" in text and "You answered: Under 18" in text
    assert "Do these, in this order:" in text
    again = chat(f"sqlite:///{tmp_path / 'bot.db'}", "/refer", "1", "back", "/cancel")
    assert again.count("Referral route, question 1") == 2
    assert "Referral route cancelled" in again


def test_quiz_progress_survives_a_restart(db_url: str) -> None:
    first = chat(db_url, "/quiz law", "A", "B", "/quit")
    assert "Question 2 of 5" in first
    later = chat(db_url, "/progress")
    assert "Your progress: 2 of " in later
    assert "Legislation" in later
