"""/quiz in the terminal chat: the same rounds, answered by typing a letter."""

from __future__ import annotations

from bot.console import Console
from bot.core.services import Knowledge
from tests.support import cli


def test_a_round_in_the_terminal(knowledge: Knowledge) -> None:
    console = Console(knowledge)
    first = console.handle("/quiz law")
    assert first.startswith("Question 1 of 5 (Legislation and powers)")
    assert "\n  A. " in first and first.rstrip().endswith(".")
    shown = console.quiz.current()
    wrong = shown.letters[(shown.answer + 1) % len(shown.order)]
    reply = console.handle(wrong.lower() + ")")
    assert "Not quite. You chose" in reply and "Answer: " + shown.letters[shown.answer] in reply
    assert shown.question.correct.why.split()[0] in reply
    assert "Question 2 of 5" in reply
    card = console.handle("1")  # "Read the topic"
    assert card.startswith("== ") and "Key points:" in card
    for _ in range(4):
        current = console.quiz.current()
        typed = "true" if current.question.type == "truefalse" and current.answer == 0 else None
        reply = console.handle(typed or current.letters[current.answer])
        assert reply.startswith("Right: ")
    assert "Round complete: 4 of 5 right." in reply
    progress = console.handle("/progress")
    assert "5 of " in progress and "Legislation" in progress and "Weakest topics" in progress
    after = console.handle("b")  # no round open: a plain question, not an answer
    assert "Right:" not in after and "Not quite" not in after
    assert "couldn't tell which subject 'pizza' means" in console.handle("/quiz pizza")
    console.handle("/refresh")
    assert console.handle("/cancel").startswith("Quiz round stopped")
    assert console.handle("/cancel") == "Nothing to cancel."


def test_a_topic_round_in_the_terminal(knowledge: Knowledge) -> None:
    console = Console(knowledge)
    first = console.handle("/quiz Operation Jetway")
    assert first.startswith("Question 1 of 3 (Background and terms)")
    topics = set()
    while (current := console.quiz.current()) is not None:
        topics.add(current.question.topic)
        console.handle(current.letters[current.answer])
    assert topics == {"operation-jetway"}
    ambiguous = console.handle("/quiz s45")
    assert "/quiz msa-s45-defence" in ambiguous and "/quiz participating-in-ocg" in ambiguous


def test_piped_terminal_chat_runs_a_quiz() -> None:
    out = cli("console", stdin="/quiz background\nA\n/progress\n/quit\n")
    assert out.returncode == 0, out.stderr
    assert "Question 1 of 5 (Background and terms)" in out.stdout
    assert "Question 2 of 5" in out.stdout and "1 of " in out.stdout
