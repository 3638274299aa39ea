"""From a question to the first reply: small talk, near misses, offence facts, scenes, answers.

The order of the checks is the policy:
1. small talk ("hi", "thanks", "help") gets a friendly line and is not a knowledge gap;
2. a policing subject outside the scope (burglary, DASH, leave) is refused, never answered
   from the nearest topic;
3. a sentence, mode of trial or points to prove for an offence in the table comes from the
   table; for an offence it does not hold, one line saying so and what it does hold;
4. a person in a situation with indicators gets the steps of the indicators service;
5. otherwise the search: the unit that answers, or the topic's summary; "did you mean" and the
   honest "not sure" as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.core.answers.kinds import wants_offence_fact
from bot.core.answers.reply import (
    MAX_REPLY,
    Button,
    Line,
    Reply,
    fit,
    plain_text,
    short_line,
    unmark,
)
from bot.core.answers.search import SearchEngine, SearchResult, Verdict
from bot.core.answers.text import normalise, question_head, rewrite, stem, words
from bot.core.guided.indicators import Indicator, Indicators
from bot.core.knowledge.base import KnowledgeBase
from bot.core.knowledge.local_contacts import NUMBERS_HEADING, SCENE_MISSING, LocalContacts
from bot.core.knowledge.scope import Scope
from bot.core.knowledge.topics import Topic
from bot.core.knowledge.units import Offence

MAX_RELATED = 3
STRONG_UNIT = 0.95
# The ranker's chance above which a scene points to its topic rather than to the checklist's.
SCENE_SURE = 0.5
MAX_SEEN = 4
MAX_BUTTON = 60
TRIAL_TEXT = {
    "either-way": "triable either way",
    "indictable-only": "indictable only (Crown Court)",
    "summary-only": "summary only (magistrates' court)",
    "not-confirmed": "mode of trial not confirmed",
}


def _trial_clause(offence: Offence) -> str:
    """' is triable either way', or ': mode of trial not confirmed' when no source says."""
    text = TRIAL_TEXT[offence.trial]
    return f": {text}" if offence.trial == "not-confirmed" else f" is {text}"


# "Jayden 14", "Kai, 15": a name and an age under 18, not a count of things.
_NAMED_AGE = re.compile(
    r"\b([A-Z][a-z]{2,}),?\s+(1[0-7]|[5-9])\b(?!\s*(?:phones?|sims?|hours?|hrs?|days?|weeks?|"
    r"months?|years?|yrs?|mins?|minutes?|grand|k\b|quid|times?|people|men|bags?|wraps?|deals?|"
    r"officers?|miles?|am\b|pm\b|%|x\b|of\b|[.:/]\d))"
)
_NOT_NAMES = frozenset(
    "Found Seen Has Had Got With Over About Under Section Room Flat Number No Page Day Week "
    "Year Aged Age Around Approx Only Just Maybe Another The And But Some Took Gave Bus Train "
    "Route Schedule Class Level Cell Block Door Unit Floor House Apartment Count Code "
    "January February March April May June July August September October November December "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Monday Tuesday Wednesday Thursday Friday "
    "Saturday Sunday Mon Tue Wed Thu Fri Sat Sun Platform Stop Junction Exit Ward".split()
)
_SECTION = re.compile(r"\bs\d{1,3}[a-z]?\b")
OUT_OF_SCOPE_HEAD = "That's outside what I cover."
NOT_SURE = "I'm not sure I have an answer to that."
PERSON_AT_RISK = "If someone may be at risk, the checklist and the referral route are below."
NOT_IN_FORCE = "Commencement not confirmed: check before relying on it."
DID_YOU_MEAN = "I'm not certain which topic you mean. Did you mean:"


# Words that join an offence's name without naming it: "possession of crack" is the alias
# "possessing crack".
_FILLERS = frozenset("a an the of for to with on in by from some".split())


def _stems(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in words(rewrite(normalise(text))))


def _name_stems(text: str) -> tuple[str, ...]:
    """An offence's name as the words that name it; ages ("under 16", "16 or 17") are left
    to `question_ages`, which picks the row for the age."""
    text = _PAIR.sub(r"\1", _UNDER.sub(" ", normalise(text)))
    return tuple(stem(w) for w in words(rewrite(text)) if w not in _FILLERS)


_UNDER = re.compile(r"\bunder\s+(1[0-8]|[1-9])\b")
_PAIR = re.compile(r"\b(1[0-7])\s+(?:or|and|to|-)\s+(1[0-7])\b")
_AGE = re.compile(r"\b(1[0-7]|[1-9])\s*-?\s*(?:yo|y/o|yrs?|years?)\b|\baged?\s+(1[0-7]|[1-9])\b")


def row_ages(text: str) -> tuple[int, int] | None:
    """The ages a row of the table is for: "under 16" -> (0, 15); "16 or 17" -> (16, 17)."""
    text = text.casefold()
    pair = _PAIR.search(text)
    if pair:
        return int(pair.group(1)), int(pair.group(2))
    under = _UNDER.search(text)
    return (0, int(under.group(1)) - 1) if under else None


def question_ages(text: str) -> tuple[int, int] | None:
    """The age a question gives: "a 15-year-old", "aged 15" -> (15, 15); or a row's range."""
    text = text.casefold()
    age = _AGE.search(text)
    if age:
        n = int(age.group(1) or age.group(2))
        return n, n
    return row_ages(text)


def drug_classes(synonyms: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """Drug names by the class the synonyms put them in: "crack" -> ("class", "a")."""
    found: dict[str, tuple[str, ...]] = {}
    for term, expansions in synonyms.items():
        group = [term, *expansions]
        cls = next((g for g in group if re.fullmatch(r"class [abc]", g.casefold())), None)
        if cls is None:
            continue
        for g in group:
            if g != cls and len(words(g)) == 1:
                found[stem(words(normalise(g))[0])] = _name_stems(cls)
    return found


def _contains(tokens: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return bool(n) and any(tokens[i : i + n] == phrase for i in range(len(tokens) - n + 1))


def _names_at(tokens: tuple[str, ...], start: int, phrase: tuple[str, ...]) -> bool:
    """The phrase in order from `tokens[start]`, one extra word allowed inside it: "breach
    of a slavery prevention order" names "breach of slavery order". Two words are named only
    side by side, so "supply class b to a" never names "supply class a"."""
    if len(phrase) < 3:
        return tokens[start : start + len(phrase)] == phrase
    if tokens[start] != phrase[0]:
        return False
    at, extra = start, 0
    for word in phrase[1:]:
        if at + 1 < len(tokens) and tokens[at + 1] == word:
            at += 1
        elif extra == 0 and at + 2 < len(tokens) and tokens[at + 2] == word:
            at, extra = at + 2, 1
        else:
            return False
    return True


def _longest_named(
    tokens: tuple[str, ...], by_first: dict[str, list[tuple[int, tuple[str, ...]]]]
) -> dict[int, int]:
    """For each row an alias of which `tokens` name (`_names_at`), that alias's length.

    Only the aliases starting with a word of the question are tried, from where that word
    is: a question names one or two rows of the table, and trying every alias of every row
    cost most of a millisecond a question."""
    found: dict[int, int] = {}
    for i, token in enumerate(tokens):
        for row, alias in by_first.get(token, ()):
            n = len(alias)
            if n > found.get(row, 0) and _names_at(tokens, i, alias):
                found[row] = n
    return found


def _statute_keys(statute: str) -> list[tuple[str, ...]]:
    """How a question names a statute: its initials ("msa") or its name without the year."""
    name = [w for w in words(normalise(statute)) if not w.isdigit()]
    initials = "".join(w[0] for w in name if w not in ("of", "and", "the", "etc"))
    return [(initials,), tuple(stem(w) for w in name if w != "act")]


def _section_token(section: str) -> str:
    """How a question names the section: "s4" for "s4(3) Class A"; "" for "Part 4 ..."."""
    match = re.match(r"s\d+[a-z]?", section.casefold())
    return match.group(0) if match else ""


@dataclass(frozen=True)
class _OffenceKeys:
    offence: Offence
    aliases: list[tuple[str, ...]]
    section: str  # "s4" for "s4(3)"
    statutes: list[tuple[str, ...]]
    ages: tuple[int, int] | None  # the ages of the child the row is for, if it says


class OffenceTable:
    """Finds the offence a question names: by name or alias, or by section and statute."""

    def __init__(
        self, offences: list[Offence], classes: dict[str, tuple[str, ...]] | None = None
    ) -> None:
        self.offences = offences
        self._classes = classes or {}
        self._keys = [
            _OffenceKeys(
                o,
                [a for a in map(_name_stems, (o.name, *o.aliases)) if a],
                _section_token(o.section),
                _statute_keys(o.statute),
                row_ages(f"{o.name} {o.section}"),
            )
            for o in offences
        ]
        # Each row's aliases by their first word, and the rows by their section token: a
        # question is compared only with the rows it could name.
        self._by_first: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        self._by_section: dict[str, list[int]] = {}
        for n, keys in enumerate(self._keys):
            for alias in keys.aliases:
                self._by_first.setdefault(alias[0], []).append((n, alias))
            if keys.section:
                self._by_section.setdefault(keys.section, []).append(n)

    def find(self, text: str, ranked: list[str]) -> Offence | None:
        """The offence named; ties go to the longest name, then to the best-ranked topic."""
        found = self.find_all(text, ranked)
        return found[0] if found else None

    def find_all(self, text: str, ranked: list[str], bare: bool = True) -> list[Offence]:
        """The offence named, first, and the rows named just as well (the same offence for
        another age or class) after it.

        Without `bare`, a section number alone names nothing: "section 5 public order" is
        another Act's section, not MDA s5.

        An age in the question ("a 15 year old", "under 13") rules out the rows for other
        ages, and the narrowest row that holds it comes first.
        """
        tokens = _stems(text)
        plain = _name_stems(text)
        # The same question with each drug named by its class: "possessing class a".
        classed = tuple(t for w in plain for t in self._classes.get(w, (w,)))
        asked = question_ages(text)
        order = {topic_id: n for n, topic_id in enumerate(ranked)}
        lengths = _longest_named(plain, self._by_first)
        for row, n in _longest_named(classed, self._by_first).items():
            lengths[row] = max(n, lengths.get(row, 0))
        rows = set(lengths)
        for token in set(tokens):
            rows.update(self._by_section.get(token, ()))
        scored: list[tuple[tuple[int, int, int, int], Offence]] = []
        for n in sorted(rows):  # the sort key below ends with the row: any order would do
            keys = self._keys[n]
            span = keys.ages
            if asked and span and not (span[0] <= asked[0] and asked[1] <= span[1]):
                continue
            # Words of a name or alias count two each, so a one-word alias ("slavery") still
            # outranks a bare section number ("s2"), which counts one.
            length = 2 * lengths.get(n, 0)
            if keys.section and keys.section in tokens:
                named = any(_contains(tokens, s) for s in keys.statutes if s)
                if named or bare:
                    length = max(length, 20 if named else 1)
            if not length:
                continue
            width = span[1] - span[0] if asked and span else 99
            scored.append(((length, -width, -order.get(keys.offence.topic, 99), -n), keys.offence))
        if not scored:
            return []
        scored.sort(key=lambda r: r[0], reverse=True)
        best, first = scored[0]
        # A bare "s2" names an offence only when the question is about its topic.
        if best[0] == 1 and order.get(first.topic, 99):
            return []
        same = [o for r, o in scored[1:] if r[:2] == best[:2] and o.topic == first.topic]
        return [first, *same]

    def names(self) -> list[str]:
        """What the table holds, statute by statute: "Modern Slavery Act 2015 (s1, s2)"."""
        by_statute: dict[str, list[str]] = {}
        for o in self.offences:
            section = re.match(r"s\d+[A-Za-z]?(\(\w+\))?", o.section)
            named = section.group(0) if section else (o.aliases[0] if o.aliases else o.name)
            shown = by_statute.setdefault(o.statute, [])
            if named not in shown:
                shown.append(named)
        return [f"{statute} ({', '.join(shown)})" for statute, shown in by_statute.items()]


class Responder:
    """The one place that decides what the first reply to free text is."""

    def __init__(
        self,
        kb: KnowledgeBase,
        engine: SearchEngine,
        indicators: Indicators | None = None,
        scope: Scope | None = None,
        contacts: LocalContacts | None = None,
    ) -> None:
        self.kb = kb
        self.engine = engine
        self.indicators = indicators
        self.contacts = contacts
        self.scope = scope or Scope.empty()
        self.offences = OffenceTable(kb.offences, drug_classes(kb.synonyms))

    # -- the decision ----------------------------------------------------------------------
    def respond(self, text: str, limit: int = 3) -> Reply:
        text = question_head((text or "").strip())
        talk = self.scope.small_talk(text) if text else "help"
        if talk:
            return Reply("small-talk", [[Line(self._talk(talk))]], [[self._browse()]])
        result = self.engine.search(text, limit=max(limit, 3))
        return replace(self._decide(text, result), corrections=result.corrections)

    def _decide(self, text: str, result: SearchResult) -> Reply:
        kinds = list(result.kinds)
        ranked = [h.topic.id for h in result.hits]
        near = self.scope.near_miss(text) or self.engine.unheld_name(text)
        # A question naming a subject outside the scope is about that subject: its bare
        # section number ("section 5 public order") is not one of our offences.
        rows = self.offences.find_all(text, ranked, bare=near is None)
        offence = rows[0] if rows else None
        # A near miss named inside a question one of our units asks almost word for word
        # ("can a trafficking victim use s45 for robbery or gbh"), or beside one of the
        # topic's own names ("does murder have the s45 defence"), is still ours.
        # Unless the near miss is part of that name: "road closure order" is a road closure.
        strong = result.unit is not None and result.unit_score >= STRONG_UNIT
        quoted = result.quoted and not (
            near and self.scope.near_miss_names(text, near, result.hits[0].topic.aliases)
        )
        ours = result.answered and (strong or quoted)
        if near and offence is None and not ours:
            if wants_offence_fact(kinds):
                return self._not_held(result, near)
            # A child or vulnerable adult showing signs matters more than the offence outside
            # the scope they were found at ("15yo arrested for shoplifting, 3 phones, cash").
            # One sign is not enough here ("sudden death of an elderly man").
            scene = self._scene(text, result, kinds, more_signs=1)
            return scene or self._out_of_scope(result, near)
        # "Criteria" and "test" belong to procedures too ("the s42 criteria" of an adult
        # safeguarding referral about a cuckooed woman): an offence's points to prove answer
        # only when the search puts its topic among the first.
        elsewhere = (
            kinds[:1] == ["necessary"]
            and offence is not None
            and result.answered
            and offence.topic not in ranked[:3]
        )
        if offence is not None and wants_offence_fact(kinds) and not elsewhere:
            return self._offence(result, offence, kinds[0], rows[1:])
        scene = self._scene(text, result, kinds)
        if scene is not None:
            return scene
        if kinds[:1] in (["penalty"], ["trial"]) and offence is None:
            # The sentence for something the question does not name as an offence: only a
            # topic the search is sure of, with a penalty of its own, may answer it.
            unit = result.unit
            if not result.answered:
                return self._not_held(result, None)
            if unit is None or unit.kind != "penalty":
                # Not the topic's own maximum: the question names no offence of ours ("the
                # penalty for selling alcohol to a 15yo" is not trafficking's life). A unit
                # that answers it closely still may ("adult using a 14yo courier sentencing").
                if unit is not None and result.unit_score >= STRONG_UNIT:
                    return self._answer(result)
                return self._not_held(result, None)
        if result.answered:
            return self._answer(result)
        return self._offer(text, result)

    # -- replies ---------------------------------------------------------------------------
    def _talk(self, kind: str) -> str:
        return self.scope.replies.get(kind) or self.scope.covers

    def _browse(self) -> Button:
        return Button("Browse all topics", "browse")

    def _answer(self, result: SearchResult) -> Reply:
        topic = result.hits[0].topic
        unit = result.unit
        body = unit.answer if unit else unmark(topic.summary)
        source = unit.source if unit else topic.sources[0].url
        paragraphs = [
            [Line(topic.title, "title"), Line(body)],
            self._local_numbers(topic),
            self._do_now(topic),
            [self._source_line(topic, source)],
        ]
        # Two units that answer about equally well, or a question in two parts ("can I take
        # him, and how long for"): both answers before the steps, down to the first step.
        if unit is not None and result.also is not None:
            both = [[*paragraphs[0], Line(result.also.answer)], *paragraphs[1:]]
            shortest = [[*both[0]], both[1], both[2][:2], both[3]]  # "Do now" and one step
            if len(plain_text([p for p in shortest if p])) <= MAX_REPLY:
                paragraphs = both
        return Reply(
            "answer",
            fit([p for p in paragraphs if p]),
            self._topic_buttons(topic, unit.key if unit else topic.id),
            topic,
            unit,
            hits=result.hits,
        )

    def _offence(
        self, result: SearchResult, offence: Offence, kind: str, others: Sequence[Offence] = ()
    ) -> Reply:
        topic = self.kb.topics[offence.topic]
        head = f"{offence.name} ({offence.citation})"
        lines: list[Line] = [Line(topic.title, "title")]
        said = "commencement not confirmed" in (offence.note or "").casefold()
        caveat = "" if offence.in_force or said else f"{NOT_IN_FORCE} "
        if kind == "necessary":
            lines.append(Line(f"{caveat}Points to prove, {head}:"))
            lines += [Line(f"{n}. {p}") for n, p in enumerate(offence.points_to_prove, 1)]
        elif any(o.penalty_text() != offence.penalty_text() for o in others):
            # The question names the offence but not what its maximum turns on (the age, the
            # class): every row, one line each.
            lines.append(Line(f"{caveat}The maximum depends on the row:"))
            lines += [
                Line(f"{o.name} ({o.section}): {TRIAL_TEXT[o.trial]}; {o.penalty_text()}.")
                for o in (offence, *others)
            ]
        else:  # the sentence and the mode of trial are asked together as often as not
            lines.append(
                Line(f"{caveat}{head}{_trial_clause(offence)}. Maximum: {offence.penalty_text()}.")
            )
        if offence.note:
            lines.append(Line(offence.note))
        paragraphs = [lines, self._do_now(topic), [self._source_line(topic, offence.source)]]
        return Reply(
            "offence",
            fit([p for p in paragraphs if p]),
            self._topic_buttons(topic, topic.id),
            topic,
            offence=offence,
            hits=result.hits,
        )

    def _not_held(self, result: SearchResult, named: str | None) -> Reply:
        what = f"'{named}'" if named else "that offence"
        names = "; ".join(self.offences.names())
        line = f"I don't hold sentencing or points to prove for {what}."
        covered = f"My offence table covers: {names}." if names else ""
        paragraphs = fit([[Line(line), Line(covered)] if covered else [Line(line)]])
        return Reply("not-held", paragraphs, [[self._browse()]], hits=result.hits, record_gap=True)

    def _out_of_scope(self, result: SearchResult, named: str | None) -> Reply:
        head = OUT_OF_SCOPE_HEAD if named else NOT_SURE
        return Reply(
            "out-of-scope",
            [[Line(f"{head} {self.scope.covers}")]],
            [[self._browse()]],
            hits=result.hits,
            record_gap=True,
        )

    def _offer(self, text: str, result: SearchResult) -> Reply:
        who = self._person(text)
        unsure = result.verdict is not Verdict.DID_YOU_MEAN or not result.hits
        if unsure and who is None:
            return self._out_of_scope(result, None)
        rows = [[Button(_button(h.topic.title), "topic", h.topic.id)] for h in result.hits[:3]]
        if who:
            rows.append(self._scene_buttons(who))
        rows.append([self._browse()])
        if unsure:
            # Someone to safeguard is in the message: never "outside what I cover".
            line = Line(f"{NOT_SURE} {PERSON_AT_RISK}")
            return Reply("not-sure", [[line]], rows, hits=result.hits, record_gap=True)
        return Reply(
            "did-you-mean", [[Line(DID_YOU_MEAN)]], rows, hits=result.hits, record_gap=True
        )

    # -- scenes ----------------------------------------------------------------------------
    def _person(self, text: str) -> str | None:
        """`child` or `adult` when the text describes someone to safeguard, else None."""
        if self.indicators is None:
            return None
        said = self.indicators.subjects(_NAMED_AGE.sub(self._named_age, text), [])
        if "child" in said:
            return "child"
        if self.scope.mentions_vulnerability(text):
            return "adult"
        return None

    @staticmethod
    def _named_age(match: re.Match) -> str:
        return match.group(0) if match.group(1) in _NOT_NAMES else f"{match.group(1)} child"

    def _scene(
        self, text: str, result: SearchResult, kinds: list[str], more_signs: int = 0
    ) -> Reply | None:
        if self.indicators is None or (kinds and kinds[0] != "what-to-do"):
            return None
        who = self._person(text)
        if who is None:
            return None
        subjects = self.indicators.spec.subjects
        tagged = [i for i in self.indicators.tag(text) if i.topic_id in self.kb.topics]
        # Signs of the lists about this person, as /check would offer them ("drugs or weapons
        # inside" on the cuckooing list is about an address, not a child).
        seen = [i for i in tagged if subjects.get(i.topic_id, who) == who] or tagged
        # One sign in passing ("lost his phone") is no scene unless the officer asks what to
        # do; without that question, only a description full of signs is.
        if len({i.label for i in seen}) < (1 if kinds[:1] == ["what-to-do"] else 3) + more_signs:
            return None
        top = result.hits[0].topic if result.answered else None
        scores = [h.score for h in result.hits] + [0.0, 0.0]
        # The ranker's first is its own choice, though it may score below the second by the
        # words alone: it is clear when the ranker is fairly sure. Without it, the margin.
        if result.chance is not None:
            clear = result.chance >= SCENE_SURE
        else:
            clear = scores[0] - scores[1] >= self.engine.tuning.margin
        danger = any("danger" in i.flags for i in seen)  # someone may need help right now
        category = top.category if top is not None else None
        strong = result.unit is not None and result.unit_score >= STRONG_UNIT
        # A question about the law or a term that mentions a child; "what do I do" is about
        # the child unless one of the law's facts answers it closely.
        law = category == "legislation" and (not kinds or strong)
        if not danger and clear and (law or (category == "background" and not kinds)):
            return None
        if not danger and category == "safeguarding" and result.unit is not None:
            return None  # the search answers with one of a procedure's facts (who to ring)
        if not kinds and not danger and _SECTION.search(rewrite(normalise(text))):
            return None  # "s45 defence kid caught with wraps" asks about the section
        name, listed = self._checklist_for(who, seen)
        topic = self._scene_topic(who, seen, listed, top, clear)
        steps = self.indicators.steps(seen, {who})
        # The signs as the checklist names them; other topics' look-alike items repeat them.
        shown = [i for i in seen if i.topic_id == listed or "danger" in i.flags] or seen
        labels = list(dict.fromkeys(i.label for i in shown))[:MAX_SEEN]
        title = (
            "Possible child exploitation: what to do now"
            if who == "child"
            else "Possible exploitation of a vulnerable adult: what to do now"
        )
        paragraphs = [
            [Line(title, "title"), Line("Seen: " + "; ".join(labels) + ".")],
            [Line("Do now", "heading")]
            + [Line(f"{n}. {s.text}", "item") for n, s in enumerate(steps, 1)],
            self._scene_numbers(who),
            [
                Line(
                    f"Read: {topic.title}. From the scene checklists and the topic, "
                    f"reviewed {topic.reviewed:%d %b %Y}.",
                    "meta",
                )
            ],
        ]
        paragraphs = fit(_shorten_steps(paragraphs))
        rows = [
            self._scene_buttons(who, name),
            [Button(_button(topic.title), "topic", topic.id)],
            [Button("Wrong answer?", "wrong", topic.id)],
        ]
        return Reply("scene", paragraphs, rows, topic, hits=result.hits)

    def _checklist_for(self, who: str, seen: list[Indicator]) -> tuple[str, str]:
        """The checklist for who it is about that most of the signs come from, and its topic."""
        assert self.indicators is not None
        specs = [(n, s) for n, s in self.indicators.spec.checklists.items() if s.subject == who]
        counts = {n: sum(i.topic_id == s.topic for i in seen) for n, s in specs}
        name = max(counts, key=lambda n: (counts[n], -list(counts).index(n))) if counts else ""
        topic_id = self.indicators.spec.checklists[name].topic if name else seen[0].topic_id
        return name, topic_id

    def _scene_topic(
        self, who: str, seen: list[Indicator], listed: str, top: Topic | None, clear: bool
    ) -> Topic:
        """The topic a scene's reply points to: the steps are the scene's, but the topic to
        read next is the one the search is sure the question is about ("...says the olders
        'share' her": child sexual exploitation); else the search's own answer when it is a
        list of signs for who this is about that holds more of what was seen; else the
        checklist's."""
        assert self.indicators is not None
        if top is None:
            return self.kb.topics[listed]
        if clear and top.category != "background":
            return top
        if top.category == "indicators":
            fits = self.indicators.spec.subjects.get(top.id, who) == who
            ours = sum(i.topic_id == listed for i in seen)
            if fits and sum(i.topic_id == top.id for i in seen) >= ours:
                return top
        return self.kb.topics[listed]

    def _scene_buttons(self, who: str, name: str | None = None) -> list[Button]:
        if name is None and self.indicators is not None:
            name = next(
                (n for n, s in self.indicators.spec.checklists.items() if s.subject == who), ""
            )
        row = [Button("Referral route (/refer)", "refer")]
        if name:
            row.insert(0, Button(f"Checklist (/check {name})", "check", name))
        return row

    def _scene_numbers(self, who: str) -> list[Line]:
        """Who to ring for the first step: the force's own numbers (local-contacts.yaml)."""
        lines = self.contacts.scene_lines(who) if self.contacts else [SCENE_MISSING[who]]
        return [Line(NUMBERS_HEADING, "heading")] + [Line(line, "item") for line in lines]

    # -- shared parts ----------------------------------------------------------------------
    def _local_numbers(self, topic: Topic) -> list[Line]:
        """The force's own numbers, on the topics whose card shows them (local-contacts.yaml).

        They come before "Do now", whose lines give way first when the reply runs long.
        """
        if self.contacts is None:
            return []
        lines = self.contacts.card_lines(topic, brief=True)
        return [Line(line, "item") for line in lines] if lines else []

    def _do_now(self, topic: Topic) -> list[Line]:
        actions = topic.officer_action[:3]
        if not actions:
            return []
        return [Line("Do now", "heading")] + [
            Line(f"{n}. {short_line(a)}", "item") for n, a in enumerate(actions, 1)
        ]

    def _source_line(self, topic: Topic, url: str) -> Line:
        source = next((s for s in topic.sources if s.url == url), topic.sources[0])
        return Line(f"Source: {source.label}. {topic.reviewed_line}.", "meta")

    def _topic_buttons(self, topic: Topic, wrong: str) -> list[list[Button]]:
        related = [self.kb.topics[r] for r in topic.related if r in self.kb.topics]
        rows = [[Button("Full topic", "topic", topic.id), Button("Wrong answer?", "wrong", wrong)]]
        rows += [[Button(_button(t.title), "topic", t.id)] for t in related[:MAX_RELATED]]
        return rows


def _button(text: str) -> str:
    return text if len(text) <= MAX_BUTTON else text[: MAX_BUTTON - 1] + "…"


def _shorten_steps(paragraphs: list[list[Line]]) -> list[list[Line]]:
    """Scene steps are whole sentences from checks.yaml, in order of urgency. Over the limit,
    the last ones keep only their first sentence first, then whole steps go from the end: the
    first, most urgent one always stays as written."""
    paras = [list(p) for p in paragraphs]
    places = [
        (i, j) for i, p in enumerate(paras) for j, line in enumerate(p) if line.style == "item"
    ]
    for i, j in reversed(places[1:]):  # the first, most urgent step stays whole
        if len(plain_text(paras)) <= MAX_REPLY:
            break
        number, _, step = paras[i][j].text.partition(" ")
        paras[i][j] = Line(f"{number} {short_line(step, 200)}", "item")
    return paras
