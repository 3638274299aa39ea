"""The quiz bank: the real questions, and `kb check` finding what curators get wrong."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from bot.core.knowledge.base import KnowledgeBase
from bot.core.knowledge.topics import CATEGORIES
from bot.core.quiz.bank import QuizBank, check_quiz
from bot.core.quiz.service import LocalQuiz, option_order, parse_letter
from tests.support import KNOWLEDGE


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load(KNOWLEDGE)


@pytest.fixture(scope="module")
def bank(kb: KnowledgeBase) -> QuizBank:
    return QuizBank.load(KNOWLEDGE, kb)


def test_the_real_bank_is_clean_and_covers_every_category(kb, bank) -> None:
    assert check_quiz(KNOWLEDGE, kb) == []
    assert len(bank.questions) >= 80
    counts = bank.count_by_category()
    assert set(counts) == set(CATEGORIES) and min(counts.values()) >= 15
    for question in bank.questions.values():
        assert question.topic in kb.topics
        assert bank.categories[question.id] == kb.topics[question.topic].category
        assert 0 <= question.answer < len(question.options)
    kinds = {q.type for q in bank.questions.values()}
    assert kinds == {"single", "truefalse"}
    true_false = [q for q in bank.questions.values() if q.type == "truefalse"]
    trues = sum(q.answer == 0 for q in true_false)
    assert 0.25 < trues / len(true_false) < 0.75  # "always False" must not be a strategy


def write(root: Path, text: str, name: str = "extra.yaml") -> Path:
    (root / "quiz").mkdir(exist_ok=True)
    path = root / "quiz" / name
    path.write_text(text)
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A knowledge folder with the real topics and no quiz files yet."""
    shutil.copytree(KNOWLEDGE / "topics", tmp_path / "topics")
    return tmp_path


GOOD = """\
  - id: {id}
    topic: {topic}
    type: single
    question: >-
      {question}
    options:
      - text: One
        why: The first option is wrong for a reason.
      - text: Two
        why: The second option is right for a reason.
      - text: Three
        why: The third option is wrong for a reason.
    answer: 1
"""


def problems_in(root: Path, kb: KnowledgeBase) -> list[tuple[int, str, str]]:
    return [(p.line, p.level, p.message) for p in check_quiz(root, kb)]


def test_unknown_topic_answer_out_of_range_and_missing_rationale(root, kb) -> None:
    write(
        root,
        "questions:\n"
        + GOOD.format(id="ok-one", topic="nrm-referral", question="Is this fine?")
        + GOOD.format(id="ghost", topic="no-such-topic", question="Who knows this one?")
        + GOOD.format(id="too-far", topic="ddtro", question="Which is it then?").replace(
            "answer: 1", "answer: 3"
        )
        + GOOD.format(id="no-why", topic="ddtro", question="Why is there no why?").replace(
            "        why: The third option is wrong for a reason.\n", ""
        ),
    )
    found = problems_in(root, kb)
    assert (16, "error", "ghost: unknown topic 'no-such-topic'") in found
    assert (40, "error", "too-far: answer 3 is out of range 0-2") in found
    assert (51, "error", "no-why: options.2.why: Field required") in found
    bank = QuizBank.load(root, kb)
    assert list(bank.questions) == ["ok-one"]  # the broken ones are never asked


def test_duplicates_by_id_by_wording_and_near_duplicates(root, kb) -> None:
    write(
        root,
        "questions:\n"
        + GOOD.format(id="first", topic="ddtro", question="Who can apply for a DDTRO?")
        + GOOD.format(id="first", topic="ddtro", question="A different question?"),
    )
    write(
        root,
        "questions:\n"
        + GOOD.format(id="second", topic="ddtro", question="who can APPLY for a DDTRO.")
        + GOOD.format(
            id="third", topic="ddtro", question="Who can apply to court for a DDTRO, then?"
        ),
        name="more.yaml",
    )
    found = check_quiz(root, kb)
    messages = {(p.path.name, p.line, p.level, p.message) for p in found}
    assert ("extra.yaml", 15, "error", "duplicate id 'first'") in messages
    assert ("more.yaml", 2, "error", "second: same question as 'first'") in messages
    assert ("more.yaml", 15, "warning", "third: asks much the same as 'first'") in messages


def test_true_false_shape_option_count_and_cut_off_text(root, kb) -> None:
    write(
        root,
        """\
questions:
  - id: tf-unquoted
    topic: ddtro
    type: truefalse
    question: A DDTRO can shut a line without seizing the handset.
    options:
      - text: True
        why: YAML reads an unquoted True as a boolean; the loader takes the word.
      - text: False
        why: The same goes for an unquoted False here.
    answer: 0
  - id: tf-wrong-words
    topic: ddtro
    type: truefalse
    question: This one has yes and no instead.
    options:
      - text: "Yes"
        why: Yes is not one of the two allowed options.
      - text: "No"
        why: No is not one of the two allowed options.
    answer: 1
  - id: two-options
    topic: ddtro
    type: single
    question: A single choice with only two options?
    options:
      - text: One
        why: Only two options are not enough for a single choice.
      - text: Two
        why: A single choice needs three or four.
    answer: 0
  - id: cut-off
    topic: ddtro
    type: single
    question: What happens to text after a hash?
    options:
      - text: Kept
        why: A YAML comment starts at a space and a #hash so this is lost
      - text: Lost
        why: Everything after the hash is dropped by the YAML parser.
      - text: Doubled
        why: Nothing doubles; the text is simply cut off.
    answer: 1
""",
    )
    found = problems_in(root, kb)
    assert not any("tf-unquoted" in m for _, _, m in found)
    assert (16, "error", "tf-wrong-words: true/false options must be exactly True, False") in found
    assert (26, "error", "two-options: single choice needs 3-4 options, has 2") in found
    assert any(line == 38 and m.startswith("cut-off: why ends") for line, _, m in found)


def test_text_limits_are_enforced(root, kb) -> None:
    write(
        root,
        "questions:\n"
        + GOOD.format(id="long-one", topic="ddtro", question="Is this too long? " * 30),
    )
    found = problems_in(root, kb)
    assert any("question: String should have at most 400 characters" in m for _, _, m in found)


def test_missing_folder_is_reported(tmp_path: Path, kb) -> None:
    assert [p.message for p in check_quiz(tmp_path, kb)] == ["no quiz files found"]


def test_options_are_shuffled_per_round_but_true_false_keeps_its_order(bank) -> None:
    single = next(q for q in bank.questions.values() if q.type == "single")
    true_false = next(q for q in bank.questions.values() if q.type == "truefalse")
    rng = random.Random(7)
    orders = {option_order(single, rng) for _ in range(30)}
    assert len(orders) > 1 and all(sorted(o) == list(range(len(single.options))) for o in orders)
    assert {option_order(true_false, rng) for _ in range(10)} == {(0, 1)}


def test_letters_typed_in_the_terminal() -> None:
    assert [parse_letter(t) for t in ("a", "B.", "(c)", " d) ", "e", "ab", "")] == [
        0,
        1,
        2,
        3,
        None,
        None,
        None,
    ]


def test_local_rounds_score_and_progress(bank) -> None:
    local = LocalQuiz(bank, seed=5)
    started = local.start("quiz", "legislation")
    shown = started.first
    assert shown is not None and shown.category == "legislation" and shown.total == 5
    score = 0
    while shown is not None:
        choice = shown.answer if shown.position % 2 == 0 else (shown.answer + 1) % len(shown.order)
        result = local.answer(choice)
        score += result.correct
        assert result.correct == (shown.position % 2 == 0)
        shown = result.next
    assert score == 3 and result.score == 3 and not local.active
    progress = local.progress()
    assert progress.answered == 5
    assert progress.tallies["legislation"].learning == 5
    assert progress.weakest and all(w.seen > w.right for w in progress.weakest)


def test_every_required_topic_needs_three_questions_unless_its_file_is_missing(root, kb) -> None:
    (root / "required-topics.txt").write_text("# required\nddtro\nnrm-referral\nnot-written-yet\n")
    questions = [
        GOOD.format(id=f"ddtro-{n}", topic="ddtro", question=f"Question number {n} on it?")
        for n in ("one", "two", "three")
    ]
    questions.append(GOOD.format(id="nrm-one", topic="nrm-referral", question="Who refers?"))
    write(root, "questions:\n" + "".join(questions))
    found = [(p.path.name, p.line, p.level, p.message) for p in check_quiz(root, kb)]
    thin = [f for f in found if "required topic" in f[3]]
    assert thin == [
        (
            "required-topics.txt",
            3,
            "error",
            "required topic 'nrm-referral' has 1 quiz question; it needs at least 3",
        )
    ]  # ddtro has three; not-written-yet has no topic file, which is reported elsewhere
