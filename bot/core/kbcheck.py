"""`kb check`: every curated file validated in one pass, problems sorted by file and line."""

from __future__ import annotations

from pathlib import Path

from bot.core.knowledge import KnowledgeBase
from bot.core.problems import Problem


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
    from bot.core.guided import check_guided
    from bot.core.indicators import check_indicators
    from bot.core.local_contacts import check_local_contacts
    from bot.core.quiz_bank import check_quiz
    from bot.core.scope import check_scope

    return [check_indicators, check_quiz, check_guided, check_local_contacts, check_scope]
