"""Which words are English: a word the knowledge base lacks but English has is no typo."""

from __future__ import annotations

from functools import lru_cache

from spellchecker import SpellChecker

COMMON = 100  # rarer entries of the list include misspellings common enough to be counted


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Lower-case English words in common use, loaded once per process."""
    counts = SpellChecker(distance=1).word_frequency.dictionary
    return frozenset(w for w, n in counts.items() if n >= COMMON)
