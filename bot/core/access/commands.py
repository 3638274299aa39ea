"""Who may do what: the one table of commands, with the roles allowed to run each.

Every adapter reads this table: the Telegram bot registers its handlers from it, checks each
command against it before running it, writes `/help` from it and sets each role's command menu
from it. A command missing from a role's row is refused; strangers (role `None`) may only enrol
and ask for their user id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.core.access.users import Role

STRANGER = None  # the role of someone not enrolled (or revoked)
Who = Role | None

EVERYONE: frozenset[Who] = frozenset({STRANGER, *Role})
ENROLLED: frozenset[Who] = frozenset(Role)
SUPERVISORS: frozenset[Who] = frozenset({Role.SUPERVISOR, Role.ADMIN})
TRAINERS: frozenset[Who] = frozenset({Role.TRAINER, Role.ADMIN})
ADMINS: frozenset[Who] = frozenset({Role.ADMIN})


class Menu(StrEnum):
    """Where a command shows in Telegram's command menu (it can be typed anywhere it works)."""

    NONE = "none"  # listed in /help only
    PRIVATE = "private"  # in the caller's menu in a private chat with the bot
    GROUPS = "groups"  # also in group chats' menu: it works there for every enrolled role


@dataclass(frozen=True)
class Command:
    name: str
    help: str  # the line in /help and the menu
    roles: frozenset[Who]
    # What its reply holds when the reply must stay in a private chat; empty: any chat.
    private: str = ""
    menu: Menu = Menu.PRIVATE
    edits: bool = False  # an edit of the command message changes what it began (a note's text)
    section: str = ""  # /help lists sectioned commands under that heading
    audience: str = ""  # who it is for, in the refusal; by default from `roles`
    help_for: Mapping[Who, str] = field(default_factory=dict)  # a role's own help line

    def line(self, who: Who) -> str:
        return self.help_for.get(who, self.help)

    @property
    def refusal(self) -> str:
        audience = self.audience or (
            "admins only"
            if self.roles == ADMINS
            else "supervisors"
            if self.roles == SUPERVISORS
            else "trainers only"
            if self.roles == TRAINERS
            else "enrolled officers only"
        )
        return f"That command is for {audience}."


# In the order /help lists them; the adapter registers them all before any other handler.
COMMANDS: tuple[Command, ...] = (
    Command(
        "start",
        "The welcome: how to ask, and what the answers show",
        EVERYONE,
        help_for={STRANGER: "Enrol: /start and the code your force's bot administrator gave you"},
    ),
    Command("topics", "Browse every topic by category", ENROLLED, menu=Menu.GROUPS),
    Command("note", "Write a field note: /note, or /note what you saw", ENROLLED, edits=True),
    Command(
        "mynotes",
        "Your recent field notes; /mynotes REF shows one in full",
        ENROLLED,
        private="your field notes",
    ),
    Command("amend", "/amend REF: add a correction to one of your notes", ENROLLED, edits=True),
    Command(
        "check", "Scene checklist: /check child, cuckooing or adult", ENROLLED, menu=Menu.GROUPS
    ),
    Command(
        "refer",
        "Which referral route? A few questions, then the steps",
        ENROLLED,
        menu=Menu.GROUPS,
    ),
    Command("quiz", "Practice round: /quiz, /quiz legislation or /quiz cuckooing", ENROLLED),
    Command("refresh", "Your refresher: questions due for review first", ENROLLED),
    Command("progress", "Your refresher progress: mastered, due, trend and a chart", ENROLLED),
    Command("remind", "Daily refresher reminder: /remind 07:30, or /remind off", ENROLLED),
    Command("whoami", "Your Telegram user id", EVERYONE, menu=Menu.GROUPS),
    Command("help", "How to ask, and what I can do", ENROLLED, menu=Menu.GROUPS),
    Command("cancel", "Stop what you are doing", ENROLLED, menu=Menu.GROUPS),
    Command(
        "export",
        "/export [FROM] [TO]: field notes as CSV and JSON files",
        SUPERVISORS,
        private="field notes with personal data",
    ),
    Command(
        "stats",
        "/stats [WEEKS]: chart of field notes per week",
        SUPERVISORS,
        private="counts of field notes",
    ),
    Command(
        "cohort",
        "Your recruits' results; /cohort new NAME, move USER NAME, export",
        TRAINERS,
        private="recruits' results",
    ),
    Command(
        "invite",
        "/invite [officer|supervisor|trainer]: one-time enrolment code",
        TRAINERS,
        private="a live enrolment code",
        section="Admin",
        audience="admins only",  # a trainer's invite is only for recruits: admins' command
        help_for={
            Role.TRAINER: "/invite recruit [COHORT]: enrolment code that puts a recruit in a "
            "cohort"
        },
    ),
    Command(
        "revoke",
        "/revoke USER: remove someone's access",
        ADMINS,
        private="people's names and ids",
        section="Admin",
    ),
    Command(
        "users",
        "List enrolled users",
        ADMINS,
        private="the roster with Telegram ids",
        section="Admin",
    ),
    Command(
        "role",
        "/role USER officer|supervisor|trainer",
        ADMINS,
        private="people's names and ids",
        section="Admin",
    ),
    Command(
        "gaps",
        "Questions I could not answer",
        ADMINS,
        private="questions officers asked",
        section="Admin",
    ),
    Command(
        "feedback",
        "Answers flagged as wrong",
        ADMINS,
        private="questions officers asked",
        section="Admin",
    ),
    Command(
        "status",
        "Uptime, reply times, database, last backup, reviews due",
        ADMINS,
        private="the bot's health",
        section="Admin",
    ),
)

BY_NAME: Mapping[str, Command] = {c.name: c for c in COMMANDS}


def allowed(who: Who, name: str) -> bool:
    """Deny by default: an unknown command, or one the role is not listed for, is refused."""
    command = BY_NAME.get(name)
    return command is not None and who in command.roles


def commands_for(who: Who) -> list[Command]:
    return [c for c in COMMANDS if who in c.roles]


def menu_for(who: Who) -> list[tuple[str, str]]:
    """(name, description) for the role's menu in a private chat with the bot."""
    return [(c.name, c.line(who)) for c in commands_for(who) if c.menu is not Menu.NONE]


def group_menu() -> list[tuple[str, str]]:
    """The menu every member of a group sees: what works there for every enrolled role."""
    return [
        (c.name, c.help)
        for c in COMMANDS
        if c.menu is Menu.GROUPS and c.roles >= ENROLLED and not c.private
    ]


def help_sections(who: Who) -> list[tuple[str, list[str]]]:
    """(heading, `/name: help` lines) for every command the role may run. An admin's list is
    long, so for admins sectioned commands stand under their heading; other roles see one list."""
    mine = commands_for(who)
    sectioned = who in ADMINS
    sections: dict[str, list[str]] = {"": []}
    for c in mine:
        sections.setdefault(c.section if sectioned else "", []).append(f"/{c.name}: {c.line(who)}")
    return list(sections.items())
