"""Text analysis shared by the index, the query side and note tagging, so both sides agree."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

MAX_QUERY_CHARS = 600  # a question longer than this is a paste; its head says what it is about

STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are aren as at be because been before
    being below between both but by can cannot could couldn did didn do does doesn doing don down
    during each few for from further had has have having he her here hers herself him himself his
    how i if in into is isn it its itself just let lets me more most my myself no nor not of off
    on once only or other ought our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under
    until up very was wasn we were what when where which while who whom why will with would you
    your yours yourself yourselves
    anyone anything ask asking best cant dont explain get gets getting give go going got hello hi
    im ive know let like look looking mean means need needs please quick quickly really say says
    tell thanks thank thing things want whats wot now ok okay mate pls plz asap yeah
    urgent help
    arent couldnt didnt doesnt hasnt havent hes isnt shes shouldnt thats theres theyre wasnt
    werent weve wont wouldnt youre said told asked telling meaning called actually basically
    literally exactly anyway
    n u ur r whos tho though goin gonna wanna gotta innit cos coz cuz kinda sorta guy bloke fella
    geezer reckon stuff idea wants wanted wanting think thinks thought ever never every
    goes went wat wats watz wots one two three four five six seven eight nine ten
    w b4 lol lmao wtf idk tbh whys hows wheres whens theyll theyd youll
    sarge sgt skipper guv gov ds dc di dci oppo
    """.split()
)
# Words that carry meaning for this domain even though generic elsewhere are deliberately
# absent above: "police", "protection", "child", "phone", "order", "notice".

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_SECTION = re.compile(r"\b(?:sections?|sect|sec|ss|s)\s*\.?\s*(\d{1,3}[a-z]?)\b")
_AGE = re.compile(
    r"\b(?:(\d{1,2})[\s-]*(?:yo|y/o|yrs?[\s-]*old|years?[\s-]*old)|aged?\s+(\d{1,2}))\b"
)
_MONEY = re.compile(r"£\s*\d[\d,.]*\s*k?\b|\b\d[\d,.]*\s*(?:k|grand|quid|pounds?)\b|\bmoney\b")
_MINOR = re.compile(r"\b(?:under[\s-]*18s?|u18s?|under[\s-]*eighteens?|minors?)\b")
# "From London": where a runner came from is what matters, and the entries say "city".
_CITY = re.compile(
    r"\b(?:from|out of)\s+(?:london|manchester|birmingham|liverpool|bristol|leeds|sheffield|"
    r"nottingham|leicester|coventry|cardiff|newcastle|glasgow|bradford|wolverhampton|salford|croydon|"
    r"hackney|brixton|tottenham|lambeth|southwark|newham|lewisham|merseyside|west midlands)\b"
)
_WORD = re.compile(r"\w+")
# How an answer should be put, not what it is about: "explain cuckooing in plain english" was
# answered from the one topic whose phrasing said "plain english".
_MANNER = re.compile(
    r"\b(?:in\s+)?(?:plain|simple|normal|layman'?s?)\s+(?:english|terms|words|language)\b|"
    r"\bin\s+a\s+nutshell\b|\b(?:like|as\s+if)\s+i'?m\s+(?:new|five|5|a\s+new\s+\w+)\b|"
    r"\b(?:a\s+)?one[\s-]*liner\b|"
    r"\b(?:in\s+)?(?:one|two|three|a\s+few|\d)\s+sentences?(?:\s+max(?:imum)?)?\b|"
    # Who the answer is for, not what it is about: "for the new PCSOs", "new to the team".
    r"\b(?:for|to|at)\s+(?:a|the|my|our|some)?\s*(?:new\s+)?(?:pcsos?|probies|probationers?|"
    r"recruits?|specials|student\s+officers?|new\s+starters?|(?:shift\s+)?briefing|brief)\b|"
    r"\bnew\s+to\s+(?:the\s+)?(?:nbhd|neighbourhood|npt|response|job|force|area|team)"
    r"(?:\s+team)?\b|\b(?:can|could)\s+(?:someone|somebody|anyone)\s+(?=explain|tell|give)"
)
# "1,660 arrests" is the figure asked for as "1660": one token, not "1" and "660".
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """NFKC, case-folded, control characters and zero-width marks removed, apostrophes and
    thousands separators dropped.

    Curated text is read whole; a question is cut to its head first (`question_head`).
    """
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub(" ", text).casefold()
    text = text.replace("’", "").replace("'", "").replace("`", "")
    return _THOUSANDS.sub("", text)


def question_head(text: str) -> str:
    """A question longer than a question is a paste: its head says what it is about."""
    return text[: MAX_QUERY_CHARS * 2]


def without_manner(text: str) -> str:
    """Already-normalised text without how the answer should be put or who it is for."""
    return _MANNER.sub(" ", text)


@lru_cache(maxsize=32768)
def rewrite(text: str) -> str:
    """Fold the ways officers write section numbers and ages into single tokens.

    `section 45`, `s. 45`, `S45` become `s45`; `15yo` and `15 year old` become `child` or
    `adult` (`under-18s` and `minor` become `child`); `£400`, `4k`, `2 grand` become `cash`;
    "from London" becomes "from city": the words the knowledge base uses. How the answer should
    be put ("in plain english", "in a nutshell") is not what it is about, and goes.
    """
    text = without_manner(text)
    text = _MONEY.sub(" cash ", text)
    text = _CITY.sub(" from city ", text)
    text = _MINOR.sub(" child ", text)
    text = _SECTION.sub(lambda m: f" s{m.group(1)} ", text)
    return _AGE.sub(lambda m: " child " if int(m.group(1) or m.group(2)) < 18 else " adult ", text)


def words(text: str) -> list[str]:
    """Word tokens of already-normalised text (underscores split, as a user would expect)."""
    return _WORD.findall(text.replace("_", " "))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def content_words(text: str) -> list[str]:
    """Normalised, rewritten tokens without stop-words."""
    return [t for t in words(rewrite(normalise(text))) if t not in STOPWORDS]
