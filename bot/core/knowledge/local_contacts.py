"""The force's own numbers (`knowledge/local-contacts.yaml`), and what to say when one is missing.

Officers need local numbers most (the MASH, the emergency duty teams, the control room, the
force's exploitation lead), and no national source holds them: each force fills them in, by
council area where it covers several. The shipped file has every number unset, so the bot must
say plainly when one is missing and give the national numbers that always work. Those national
numbers live in the same file and each must appear in the topic it names, so nothing reaches an
officer that the knowledge base does not say.

`contact_lines()` is the one place that decides what to show; cards, `/refer` and the scene
steps all call it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.core import clock
from bot.core.knowledge.base import KnowledgeBase
from bot.core.knowledge.problems import Problem, load_yaml, node_line, validation_problems
from bot.core.knowledge.topics import Topic

CONTACTS_FILE = "local-contacts.yaml"
STALE_AFTER = timedelta(days=365)
MAX_CHARS = 1500  # all the numbers at once, beside the longest /refer outcome, in one message
NUMBERS_HEADING = "Your force's numbers"
NATIONAL_INTRO = "Numbers that always work"

RoleId = Literal["mash", "children-edt", "adults-edt", "control-room", "exploitation-lead"]


@dataclass(frozen=True)
class Role:
    label: str  # how a set number is introduced
    missing: str  # the plain sentence when no number is set
    serves: str | None  # the referral topic it belongs to; None = every referral
    short: str  # its name among other missing numbers, in a first reply


ROLES: dict[str, Role] = {
    "mash": Role(
        "MASH (in office hours)",
        "Your force hasn't added its MASH number: ask your control room.",
        "children-social-care-referral",
        "MASH",
    ),
    "children-edt": Role(
        "Children's emergency duty team (out of hours)",
        "Your force hasn't added its out-of-hours children's services number: "
        "ask your control room.",
        "children-social-care-referral",
        "out-of-hours children's services",
    ),
    "adults-edt": Role(
        "Adults' emergency duty team (out of hours)",
        "Your force hasn't added its out-of-hours adult social care number: "
        "ask your control room.",
        "adult-safeguarding-referral",
        "out-of-hours adult social care",
    ),
    "control-room": Role(
        "Force control room",
        "Your force hasn't added its control room number: use your radio.",
        None,
        "control room",
    ),
    "exploitation-lead": Role(
        "Force modern slavery and exploitation lead",
        "Your force hasn't added its modern slavery and exploitation lead: "
        "ask your control room or supervisor.",
        None,
        "exploitation lead",
    ),
}

# Who a scene is about -> the referral its first step makes, and what to say when unset.
SCENE_REFERRAL = {"child": "children-social-care-referral", "adult": "adult-safeguarding-referral"}
SCENE_MISSING = {
    "child": "Your force hasn't added its MASH or out-of-hours children's services numbers: "
    "ask your control room.",
    "adult": "Your force hasn't added its adult social care numbers: ask your control room.",
}

_SPACED = re.compile(r"^\d+( \d+)*$")
# Geographic (01, 02), non-geographic (03), mobile (07, not 070 personal or 076 pagers) and
# freephone (080) numbers; premium and shared-cost ranges are refused.
_UK = re.compile(r"^0(1\d{8,9}|[23]\d{9}|7[1-57-9]\d{8}|80\d{7,8})$")


def phone_problem(number: str) -> str | None:
    """Why `number` is not a UK number written the one way the knowledge base writes them."""
    if not _SPACED.match(number):
        return (
            f"'{number}': write a UK number in national format, digits and single spaces "
            "only, e.g. 01632 960 001"
        )
    if not _UK.match(number.replace(" ", "")):
        return (
            f"'{number}' is not a UK landline, 03, mobile or freephone number "
            "(10 or 11 digits starting 01, 02, 03, 07 or 080)"
        )
    return None


class Contact(BaseModel):
    """One role's number, for one council area or (no `area`) for the whole force."""

    model_config = ConfigDict(extra="forbid")

    role: RoleId
    area: str | None = None
    number: str | None = None  # unset until the force fills it in
    hours: str | None = Field(default=None, min_length=2, max_length=60)
    note: str | None = Field(default=None, min_length=2, max_length=120)

    @field_validator("number", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        if isinstance(value, int):
            raise ValueError('quote the number, e.g. "01632 960 001", so YAML keeps it as text')
        return " ".join(value.split()) if isinstance(value, str) else value


class National(BaseModel):
    """A number that works anywhere in the country, as its topic gives it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=3, max_length=80)
    number: str = Field(min_length=3, max_length=20)
    topic: str


class ContactsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    force: str | None = Field(default=None, max_length=80)
    reviewed: date | None = None
    reviewed_by: str | None = Field(default=None, min_length=3, max_length=80)
    areas: list[str] = Field(default_factory=list)
    show_on: list[str] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)
    national: list[National] = Field(default_factory=list)

    @field_validator("areas", "show_on", "contacts", "national", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return [] if value is None else value


class LocalContacts:
    """The checked file, and the lines to show for an area (or for the whole force)."""

    def __init__(self, spec: ContactsFile) -> None:
        self.spec = spec

    @classmethod
    def load(
        cls, path: Path, kb: KnowledgeBase, today: date | None = None
    ) -> tuple[LocalContacts | None, list[Problem]]:
        if not path.exists():
            # The bot still runs, saying plainly that no local numbers have been added.
            return None, [Problem(path, 1, "local contacts file is missing", "warning")]
        data, node, problems = load_yaml(path)
        if problems:
            return None, problems
        try:
            spec = ContactsFile.model_validate(data or {})
        except ValidationError as exc:
            return None, validation_problems(exc, path, node)
        problems = _problems(path, node, spec, kb, today or clock.today())
        errors = [p for p in problems if p.level == "error"]
        if errors:
            return None, problems
        contacts = cls(spec)
        size = len("\n".join(contacts.lines()))
        if size > MAX_CHARS:
            problems.append(
                Problem(
                    path,
                    node_line(node, ("contacts",)),
                    f"the numbers take {size} characters; at most {MAX_CHARS} fit in one "
                    "message beside the referral routes: shorten hours and notes",
                )
            )
            return None, problems
        return contacts, problems

    @property
    def areas(self) -> list[str]:
        return list(self.spec.areas)

    def number(self, role: str, area: str | None = None) -> Contact | None:
        """The set number for a role in an area, else the force-wide one; None if unset."""
        found: dict[tuple[str, str | None], Contact] = {
            (c.role, c.area): c for c in self.spec.contacts if c.number
        }
        return found.get((role, area)) or found.get((role, None))

    def lines(
        self, area: str | None = None, topics: Iterable[str] | None = None, brief: bool = False
    ) -> list[str]:
        """Plain-text lines: each set number, a plain sentence for each missing one, and the
        national numbers whenever anything is missing.

        `area` narrows to one council area (its own numbers, then the force-wide ones); without
        it every area's numbers are listed. `topics` keeps only the roles that serve those
        referral topics (plus the roles every referral needs). `brief` (a short first reply,
        where a sentence each would crowd out the answer) names all the missing ones in one.
        """
        wanted = set(topics) if topics is not None else None
        areas: list[str | None] = [area] if area in self.spec.areas else list(self.spec.areas)
        lines: list[str] = []
        missing: list[Role] = []
        for role_id, role in ROLES.items():
            if wanted is not None and role.serves is not None and role.serves not in wanted:
                continue
            shown = []
            for where in areas or [None]:
                contact = self.number(role_id, where)
                if contact and contact not in shown:
                    shown.append(contact)
            if not shown:
                missing.append(role)
            lines.extend(_line(role, c) for c in shown)
        if brief and len(missing) > 1:
            named = ", ".join(r.short for r in missing[:-1]) + f" or {missing[-1].short}"
            lines.append(f"Your force hasn't added its {named} numbers: ask your control room.")
        else:
            lines.extend(r.missing for r in missing)
        if missing:
            lines.append(self.national_line())
        return lines

    def _places(self) -> list[str | None]:
        """Every council area, or None (the force-wide numbers) when the file names none."""
        places: list[str | None] = list(self.spec.areas)
        return places or [None]

    def scene_lines(self, who: str) -> list[str]:
        """The numbers a scene's first step needs: children's services for a child, adult
        social care for an adult; set numbers only, or one plain sentence when none is set."""
        topic = SCENE_REFERRAL[who]
        lines = [
            _line(ROLES[role_id], contact)
            for role_id, role in ROLES.items()
            if role.serves == topic
            for where in self._places()
            if (contact := self.number(role_id, where)) is not None
        ]
        return list(dict.fromkeys(lines)) or [SCENE_MISSING[who]]

    def national_line(self) -> str:
        numbers = "; ".join(f"{n.name} {n.number}" for n in self.spec.national)
        return f"{NATIONAL_INTRO}: {numbers}."

    def card_lines(self, topic: Topic, brief: bool = False) -> list[str] | None:
        """What a topic's card (or, `brief`, its first reply) shows under its officer action,
        or None if nothing.

        A card that already gives every national number does not repeat them.
        """
        if topic.id not in self.spec.show_on:
            return None
        lines = self.lines(brief=brief)
        text = f"{topic.summary} {topic.body}"
        if all(_gives(text, n.number) for n in self.spec.national):
            lines = [line for line in lines if not line.startswith(NATIONAL_INTRO)]
        return lines


def contact_lines(
    contacts: LocalContacts | None, area: str | None = None, topics: Iterable[str] | None = None
) -> list[str]:
    """The lines to show an officer for `area` (or the whole force): the one entry point for
    cards, `/refer` and the scene steps. Without a contacts file, say so plainly."""
    if contacts is None:
        return [
            "Your force hasn't added its local numbers: ask your control room.",
            "In an emergency call 999; otherwise 101.",
        ]
    return contacts.lines(area, topics)


def _gives(text: str, number: str) -> bool:
    """Whether `text` gives `number` as written (not as part of a longer number)."""
    return re.search(rf"(?<!\d){re.escape(number)}(?!\d)", text) is not None


def _line(role: Role, contact: Contact) -> str:
    where = f", {contact.area}" if contact.area else ""
    extra = "".join(f" ({text})" for text in (contact.hours, contact.note) if text)
    return f"{role.label}{where}: {contact.number}{extra}"


def _problems(
    path: Path, node: object, spec: ContactsFile, kb: KnowledgeBase, today: date
) -> list[Problem]:
    problems: list[Problem] = []

    def add(loc: tuple, message: str, level: Literal["error", "warning"] = "error") -> None:
        problems.append(Problem(path, node_line(node, loc), message, level))

    seen_areas: set[str] = set()
    for n, area in enumerate(spec.areas):
        if not area.strip() or len(area) > 60:
            add(("areas", n), "an area is a council area's name, at most 60 characters")
        elif area.casefold() in seen_areas:
            add(("areas", n), f"area '{area}' listed twice")
        seen_areas.add(area.casefold())

    seen: set[tuple[str, str | None]] = set()
    for n, contact in enumerate(spec.contacts):
        loc = ("contacts", n)
        if contact.area is not None and contact.area not in spec.areas:
            known = ", ".join(spec.areas) or "none declared"
            add((*loc, "area"), f"unknown area '{contact.area}' (areas: {known})")
        key = (contact.role, contact.area)
        if key in seen:
            where = f"area '{contact.area}'" if contact.area else "the whole force"
            add(loc, f"role '{contact.role}' given twice for {where}")
        seen.add(key)
        if contact.number:
            problem = phone_problem(contact.number)
            if problem:
                add((*loc, "number"), problem)

    if any(c.number for c in spec.contacts):
        if spec.reviewed is None:
            add(("reviewed",), "numbers are set: give the date they were last checked")
        elif spec.reviewed > today:
            add(("reviewed",), f"reviewed date {spec.reviewed} is in the future")
        elif today - spec.reviewed > STALE_AFTER:
            add(
                ("reviewed",),
                f"numbers last checked {spec.reviewed}: over 12 months ago",
                "warning",
            )

    for n, topic_id in enumerate(spec.show_on):
        if topic_id not in kb.topics:
            add(("show_on", n), f"unknown topic '{topic_id}'")

    for n, national in enumerate(spec.national):
        topic = kb.topics.get(national.topic)
        if topic is None:
            add(("national", n, "topic"), f"unknown topic '{national.topic}'")
            continue
        if not _gives(f"{topic.summary} {topic.body}", national.number):
            add(
                ("national", n, "number"),
                f"'{national.number}' is not in topic '{topic.id}': national numbers must "
                "come from the knowledge base",
            )
    if not spec.national:
        add(("national",), "list the national numbers that always work", "warning")
    return problems


def check_local_contacts(root: Path, kb: KnowledgeBase) -> list[Problem]:
    """`kb check` validator for the force's own numbers."""
    return LocalContacts.load(root / CONTACTS_FILE, kb)[1]
