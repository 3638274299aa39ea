"""What kind of thing a question asks for: a penalty, a time limit, who can, a number...

Read from the question words only, so "how long does an RG decision take" asks for a time limit
whichever topic it is about. The kinds are the answer units' kinds, plus `trial` ("is it
either way") which only the offence table answers.
"""

from __future__ import annotations

import re

from bot.core.answers.text import normalise, without_manner

_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        "penalty",
        r"\b(?:max(?:imum)?\s+(?:sentence|penalty|term|prison|jail)|"
        # "on sentence", "not being sentenced": when an order is made, not what is asked.
        r"(?<!being\s)(?<!\bon\s)(?<!\bat\s)(?<!upon\s)(?<!after\s)(?<!before\s)sentenc\w*|"
        r"penalt\w+|what\s+(?:would|will|could|can|do(?:es)?)\s+(?:he|she|they|you|"
        r"someone|i|it|that|this)\s+(?:get(?=\s+for\b|\s*$|\s+if\b)|carry|carries)|"
        r"what\s+does\s+.{1,40}\s+carry|"
        r"how\s+long\s+(?:would|will|could|can|do)\s+(?:he|she|they|you|someone)\s+(?:get|go)|"
        r"how\s+many\s+years|years?\s+(?:in\s+)?(?:jail|prison)|jail\s+time|prison\s+time|"
        r"go\s+to\s+(?:jail|prison)|get\s+life|carr(?:y|ies)\s+life|tariff|punishment\s+for|"
        r"the\s+max(?:imum)?\s*$|"
        # "whats the max", "max for pwits": a maximum that is not of a time, a count or an age.
        r"max(?:imum)?(?!\s+(?:time|period|length|duration|number|amount|age|days?|hours?|"
        r"weeks?|months?|detention|extension))(?=\s+(?:for|you|he|she|they|someone|on|if)\b)|"
        r"(?:the\s+)?most\s+(?:he|she|they|you|someone)\s+(?:can|could|would|will|might)\s+get|"
        r"how\s+much\s+(?:time|bird|jail|prison)|(?:how\s+long|time)\s+(?:in|inside)\s+(?:jail|prison)|"
        r"(?:time|years?)\s+(?:would|will|could)\s+(?:he|she|they|you)\s+(?:do|serve|get))\b",
    ),
    (
        "trial",
        r"\b(?:either[\s-]+way|indictable|summary[\s-]+only|mode\s+of\s+trial|triable|"
        # A court named as where the case is tried; "extended by the mags" is not about trial.
        r"(?:tried|heard|dealt\s+with|go(?:es)?|end\s+up|stay)\s+(?:in|at|to|by)\s+(?:the\s+)?"
        r"(?:crown(?:\s+court)?|magistrates?(?:\s+court)?|mags)|"
        r"(?:crown\s+court|magistrates?\s+court|mags)\s+(?:or|only)\b)\b",
    ),
    (
        "necessary",
        r"\b(?:points?\s+to\s+prove|ptp|what\s+(?:do|must|should)\s+(?:i|we|you)\s+(?:need\s+to\s+)?"
        r"(?:prove|show|establish)|need\s+to\s+prove|elements?\s+of|ingredients|what\s+is\s+the\s+"
        r"test|the\s+test\s+for|threshold|criteria|conditions?\s+for|grounds\s+for|"
        r"what\s+do\s+(?:i|we)\s+need\s+to\s+(?:show|find)|must\s+be\s+(?:satisfied|shown))\b",
    ),
    (
        "time-limit",
        r"\b(?:how\s+long|how\s+many\s+(?:days|hours|weeks|months)|time\s*limit|timescales?|"
        r"max(?:imum)?\s+(?:time|period|length|duration)|"
        r"deadline|how\s+(?:quick|quickly|soon|fast)|within\s+how|lasts?\s+for|expir\w+|"
        r"how\s+long\s+does|duration|extend\w*\s+(?:it|the)|when\s+does\s+it\s+(?:end|run\s+out))\b",
    ),
    (
        "who-can",
        r"\b(?:who\s+(?:can|may|should|must|will|does|has|needs|is\s+responsible|"
        r"authoris\w+|authoriz\w+|decides?|applies|"
        r"makes?|signs?|approves?|gives?)|which\s+(?:rank|officer|agency|body)|what\s+rank|"
        r"rank\s+(?:needed|required|to)|inspector\s+or|superintendent\s+or|authoris\w+\s+by)\b",
    ),
    (
        "number",
        r"\b(?:(?:phone|contact|tel|telephone|helpline|hotline)\s+(?:number|no)|number\s+(?:for|to)|"
        # "the number of the helpline" is one to ring; "the number of people" is a count.
        r"number\s+of\s+(?:the\s+)?(?:helpline|hotline|line|team|unit|mash|edt|service|office)|"
        r"what\s+number|whats\s+the\s+number|helpline|hotline|who\s+do\s+i\s+(?:ring|call|phone)|"
        r"ring\s+who|out\s+of\s+hours\s+(?:number|line)|edt\s+number|phone\s+no|"
        # "UKMPU number", "mash number?": a name and then "number" is a number to ring.
        r"^\w+(?:\s+\w+)?\s+number$)\b",
    ),
    (
        "age",
        r"\b(?:how\s+old|what\s+age|age\s+(?:limit|of|range)|under\s+what\s+age|over\s+18|"
        r"up\s+to\s+what\s+age|min(?:imum)?\s+age|(?:youngest|lowest|oldest)\s+age|"
        r"until\s+(?:what|which)\s+age|age\s+(?:do|does|can|must|should)\s+(?:you|they|he|she|a|i))\b",
    ),
    (
        "signs",
        r"\b(?:signs?\s+(?:of|that|an?)|red\s+flags?|warning\s+signs?|indicators?|"
        r"how\s+(?:do|can|would)\s+(?:i|you|we)\s+(?:spot|tell|know|recognise|recognize)|"
        r"what\s+to\s+look\s+(?:out\s+)?for|look\s+out\s+for|tell\s+if)\b",
    ),
    (
        "power",
        r"\b(?:can\s+(?:i|we|police|officers?|you)|am\s+i\s+allowed|are\s+we\s+allowed|power\s+to|"
        r"powers?\s+(?:of|for)|what\s+powers?|lawful\s+to|legally\s+can|arrest\s+for|"
        r"search\s+(?:him|her|them|a|the)|seize)\b",
    ),
    (
        "what-to-do",
        r"\b(?:what\s+(?:do|should|shall|must)\s+(?:i|we)\s+do|what\s+now|what\s+next|"
        r"where\s+(?:do|should|can)\s+(?:i|we)\s+(?:take|send|go|put)|"
        r"next\s+steps?|how\s+do\s+(?:i|we)\s+(?:make|submit|do|refer|report|apply|start|get)|"
        r"what\s+(?:action|steps)|procedure|process\s+for|how\s+to\s+(?:refer|report|apply|submit))\b",
    ),
    (
        "definition",
        r"\b(?:what\s+(?:is|are|does)\s+(?:an?\s+|the\s+)?\w+|whats\s+(?:an?\s+|the\s+)?\w+|"
        r"define|definition|meaning|translate|slang\s+for|what\s+counts\s+as|stand\s+for|is\s+it\s+(?:a|an)\s+offence|"
        r"(?:is|are)\s+(?:that|this|it|he|she|they)\s+(?:still\s+)?(?:an?\s+)?(?:victim|offence|"
        r"crime|exploitation|trafficking|slavery|cuckooing|illegal|legal|a\s+child|an\s+adult))\b",
    ),
)
_WHATS = re.compile(r"\bwat(?:s|z)?\b|\bwots\b")  # how "whats" is typed in a hurry
_GET = re.compile(r"how\s+long\s+\w+\s+\w+\s+get")
_JAIL = re.compile(r"how\s+long\s+(?:in|inside)\s+(?:jail|prison)")
_COMPILED = tuple((kind, re.compile(pattern)) for kind, pattern in _PATTERNS)


def question_kinds(text: str) -> list[str]:
    """The kinds a question asks for, most specific first (empty when it names no kind)."""
    # "two sentences max" says how long the answer should be, not that a sentence is asked.
    norm = " ".join(re.sub(r"[^\w£]+", " ", without_manner(normalise(text))).split())
    norm = _WHATS.sub("whats", norm)
    found = [kind for kind, pattern in _COMPILED if pattern.search(norm)]
    # "how long would he get" is a penalty, not a time limit.
    if "time-limit" in found and "penalty" in found and (_GET.search(norm) or _JAIL.search(norm)):
        found.remove("time-limit")
    return found


# "How many", "when did": a count, a sum or a date, of no unit kind ("how many years" is a
# penalty, "how many days" a time limit, "what age" an age: those kinds say it already).
_FIGURE = re.compile(
    r"\b(?:how\s+many|how\s+much|when\s+(?:did|was|were)|what\s+(?:year|date)|which\s+year|"
    r"number\s+of|"
    r"since\s+when|how\s+big|what\s+(?:percentage|proportion|share))\b"
)
_NAMES_ITS_FIGURE = {"penalty", "time-limit", "age", "number"}
# A figure in an answer: a digit not inside a section reference ("s45", "s3(6)").
_HOLDS_FIGURE = re.compile(r"(?<![A-Za-z(])\d")


def asks_for_figure(text: str, kinds: list[str] | tuple[str, ...]) -> bool:
    """Whether the question wants a count, a sum or a date that no unit kind names."""
    if _NAMES_ITS_FIGURE.intersection(kinds):
        return False
    norm = " ".join(re.sub(r"[^\w£]+", " ", normalise(text)).split())
    return bool(_FIGURE.search(norm))


def holds_figure(answer: str) -> bool:
    """Whether an answer states a count, a sum or a date."""
    return bool(_HOLDS_FIGURE.search(answer))


def wants_offence_fact(kinds: list[str]) -> bool:
    """A question the offence table answers: a sentence, the mode of trial, points to prove."""
    return bool(kinds) and kinds[0] in ("penalty", "trial", "necessary")
