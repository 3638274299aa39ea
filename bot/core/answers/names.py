"""Named powers and schemes the knowledge base never mentions.

"How long is a criminal behaviour order", "what is a sexual harm prevention order", "what is
operation encompass": every word is one the knowledge base uses ("criminal", "behaviour",
"order"), so the search finds a topic that shares them and answers from it. But the words
name one thing together, an order, a notice, an act, a code or an operation, and the
knowledge base never names that thing. Such a question is about something outside the scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

from rapidfuzz.distance import DamerauLevenshtein

from bot.core.answers.text import STOPWORDS, normalise, rewrite, stem, words

# The last word of a name: what the words before it name ("closure order", "care act").
HEADS = frozenset(
    stem(w) for w in ("order", "orders", "notice", "notices", "act", "code", "scheme", "camera")
)
# The first word of a name: what the word after it names ("operation jetway").
LEADS = frozenset(stem(w) for w in ("operation", "op"))
# Words that come before a head without naming anything: "giving orders", "any new order".
NOT_NAMING = frozenset(
    stem(w)
    for w in (
        "give giving gave take taking follow following obey obeying issue issuing serve "
        "serving breach breaching apply applying use using want need new old other such "
        "same different whole"
    ).split()
)


def _naming(word: str) -> str | None:
    """The stem of a word that can be part of a name, or None ("the", "3", "give")."""
    if word in STOPWORDS or word.isdigit():
        return None
    s = stem(word)
    return None if s in NOT_NAMING or s in HEADS else s


class Names:
    """Which words the knowledge base puts side by side, to tell a name it holds from one it
    does not."""

    def __init__(self, texts: Iterable[list[str]]) -> None:
        """`texts`: the stems of each curated text's content words, in order."""
        self._next: set[tuple[str, str]] = set()  # adjacent content words
        self._known: set[str] = set()
        for stems in texts:
            self._known.update(stems)
            self._next.update(pairwise(stems))
        self._before: dict[str, set[str]] = {}  # the words each head follows
        for first, second in self._next:
            if second in HEADS:
                self._before.setdefault(second, set()).add(first)

    def _misspelt(self, word: str, held: Iterable[str]) -> bool:
        """Whether `word` is one of `held` mistyped ("closer notice", "operation jet way"):
        the same first letter and one edit away, or the start of a longer one. Two edits make
        another word ("production order" is not a protection order)."""
        return len(word) >= 3 and any(
            h[0] == word[0]
            and (
                DamerauLevenshtein.distance(word, h, score_cutoff=1) <= 1
                or (len(h) > len(word) and h.startswith(word))
            )
            for h in held
        )

    def unheld(self, text: str) -> str | None:
        """The first name in `text` the knowledge base never uses, as written, or None.

        A name is the words written right before a head ("criminal behaviour order"), or a
        word the knowledge base does not know right after a lead ("operation encompass").
        """
        tokens = words(rewrite(normalise(text)))
        for i, word in enumerate(tokens):
            s = stem(word)
            if s in HEADS and i:
                prev = _naming(tokens[i - 1])
                if prev is None:
                    continue
                if (prev, s) not in self._next and not self._misspelt(
                    prev, self._before.get(s, ())
                ):
                    return f"{tokens[i - 1]} {word}"
            elif s in LEADS and i + 1 < len(tokens):
                name = _naming(tokens[i + 1])
                if (
                    name is not None
                    and name not in self._known
                    and not self._misspelt(name, self._known)
                ):
                    return f"{word} {tokens[i + 1]}"
        return None
