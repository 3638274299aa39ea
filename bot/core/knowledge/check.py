"""`kb check`: every curated file validated in one pass, problems sorted by file and line."""

from __future__ import annotations

from pathlib import Path

from bot.core.knowledge.base import KnowledgeBase
from bot.core.knowledge.problems import Problem


def check_knowledge(root: Path) -> tuple[KnowledgeBase, list[Problem]]:
    """Topics, synonyms, required ids and the data files that depend on topics."""
    kb = KnowledgeBase.load(root)
    problems = list(kb.problems)
    for checker in _dependent_checkers():
        problems.extend(checker(root, kb))
    problems.sort(key=lambda p: (str(p.path), p.line))
    return kb, problems


def _dependent_checkers() -> list:
    """Validators of the files that refer to topics (checklists, quiz bank, referral flow,
    local contacts).

    Each takes (knowledge root, loaded KnowledgeBase) and returns a list of Problems.
    """
    from bot.core.answers.ranker import check_ranker
    from bot.core.guided.flows import check_guided
    from bot.core.guided.indicators import check_indicators
    from bot.core.knowledge.local_contacts import check_local_contacts
    from bot.core.knowledge.scope import check_scope
    from bot.core.quiz.bank import check_quiz

    return [
        check_indicators,
        check_quiz,
        check_guided,
        check_local_contacts,
        check_scope,
        check_ranker,
    ]
