"""Which topic `/quiz WORDS` means: by id, alias or title, else by the question search.

One rule for every adapter. The search is the same engine free-text questions go through
(`SearchEngine.search`), and only topics with questions can be chosen; when the search is not
sure, the nearest such topics are offered instead of a guess.
"""

from __future__ import annotations

from bot.core.answers.search import SearchEngine
from bot.core.knowledge.base import KnowledgeBase
from bot.core.knowledge.topics import Topic
from bot.core.quiz.bank import QuizBank

NEAREST = 3


def find_topic(
    kb: KnowledgeBase, engine: SearchEngine, bank: QuizBank, wanted: str
) -> tuple[Topic | None, list[Topic]]:
    """(the topic, []) when the words name one; else (None, the nearest topics with questions)."""
    quizzed = bank.topics()
    folded = " ".join(wanted.split()).casefold()
    if not folded:
        return None, []
    for topic in kb.topics.values():
        names = [topic.id, topic.title, *topic.aliases]
        if topic.id in quizzed and folded in (n.casefold() for n in names):
            return topic, []
    result = engine.search(wanted[:200], limit=5)
    if result.answered and result.hits[0].topic.id in quizzed:
        return result.hits[0].topic, []
    return None, [h.topic for h in result.hits if h.topic.id in quizzed][:NEAREST]
