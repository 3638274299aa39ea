"""Personal data out of what the bot keeps for curators: a question it could not answer is
stored with names, dates of birth, phone numbers, postcodes, addresses and emails replaced.

Curators need the shape of the question ("15yo with 3 phones, what now"), never the child.
Patterns err on the side of removing too much; ages, counts and legislation stay.
"""

from __future__ import annotations

import re

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_STREET = (
    r"(?:road|rd|street|st|avenue|ave|lane|ln|close|drive|dr|way|court|ct|crescent|cres|place|pl"
    r"|gardens|gdns|terrace|grove|hill|park|square|sq|mews|walk|row|approach|rise|parade|green"
    r"|estate|house|view|hall|wharf|yard)"
)
_SMALL = r"(?!(?:in|the|at|and|with|of|on|a|an|to|from|near|by|or|for)\b)"
_NAME = r"[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?"
_NAMES = rf"{_NAME}(?:\s+{_NAME}){{0,2}}"
_AGE = r"\d{1,2}\s*(?:yo|y/o|yrs?(?:\s+old)?|years?[- ]old)\b"
_AGE_AFTER = rf"(?:,?\s*(?:aged?|age:?)\s*\d{{1,2}}\b|,?\s*\(\d{{1,2}}\)|,?\s*{_AGE})"
# Capitalised words next to an age that describe rather than name someone.
_NOT_NAMES = {
    "boy", "girl", "child", "kid", "male", "female", "man", "woman", "youth", "teen", "lad",
    "suspect", "victim", "person", "juvenile", "minor", "he", "she", "they", "is", "a", "the",
    "my", "our", "his", "her", "saw", "seen", "found", "what", "how", "and", "with", "son",
    "daughter", "brother", "sister", "mum", "dad", "someone", "stopped",
}  # fmt: skip

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"), "[date]"),
    (re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b"), "[date]"),
    (
        re.compile(
            rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b\.?,?(?:\s+\d{{2,4}}\b)?",
            re.IGNORECASE,
        ),
        "[date]",
    ),
    (
        re.compile(rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b,?(?:\s+\d{{2,4}}\b)?", re.I),
        "[date]",
    ),
    (
        re.compile(r"\b(dob|d\.o\.b\.?|born(?:\s+(?:on|in))?)(\s*:?\s*)\d{4}\b", re.IGNORECASE),
        r"\1\2[date]",
    ),
    (re.compile(r"(?:\+44\s?\(?0?\)?\s?|\b0)\d(?:[\s-]?\d){8,10}\b"), "[phone]"),
    (re.compile(r"\b\d(?:[\s-]?\d){9,14}\b"), "[phone]"),
    (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE), "[postcode]"),
    (
        re.compile(
            rf"\b\d{{1,4}}[a-z]?,?\s+(?:{_SMALL}[a-z'’-]+\s+){{0,3}}{_STREET}\b", re.IGNORECASE
        ),
        "[address]",
    ),
]
_NAME_BEFORE_AGE = re.compile(rf"\b({_NAMES})(?={_AGE_AFTER})")
_NAME_AFTER_AGE = re.compile(rf"(\b{_AGE}\s+)({_NAMES})")


def _name(match: re.Match[str], group: int) -> str:
    words = match.group(group).split()
    while words and words[0].casefold() in _NOT_NAMES:  # "Saw Kyle": keep the verb
        words.pop(0)
    if not words:
        return match.group(group)
    kept = match.group(group)[: len(match.group(group)) - len(" ".join(words))]
    return kept + "[name]"


def redact_personal(text: str) -> str:
    """`text` with what looks like personal data replaced by [name], [date], [phone], ..."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    text = _NAME_BEFORE_AGE.sub(lambda m: _name(m, 1), text)
    return _NAME_AFTER_AGE.sub(lambda m: m.group(1) + _name(m, 2), text)
