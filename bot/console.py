"""The terminal chat: the same answers as the Telegram bot, one message per input line."""

from __future__ import annotations

import sys
import tempfile
import textwrap
from collections.abc import Callable
from typing import TextIO

from bot.console_flows import LOCAL_USER, CheckFlow, NoteFlow, ReferFlow
from bot.core.answers.cards import Block, answer_blocks, plain
from bot.core.answers.reply import Reply
from bot.core.knowledge.topics import CATEGORY_LABELS, Topic
from bot.core.services import Knowledge

WIDTH = 78
HELP = """\
Ask a question in your own words, e.g. "signs of cuckooing" or "s45 defence for a 16 year old".
Everything the officer's Telegram bot does works here, typed instead of tapped:
  /topics        browse every topic by category
  /more          more detail on the last answer
  <number>       open a numbered topic from the last list
  /check [name]  scene checklist (child, cuckooing, adult): tick signs by number, then done
  /refer         which referral route: a few questions, then the steps in order
  /note [TEXT]   write a field note (saved in the bot's notebook, with its hash chain)
  /mynotes [REF] your recent notes, or one in full with its corrections
  /amend REF     add a correction to one of your notes
  /quiz [cat]    five refresher questions (indicators, safeguarding, legislation, background),
                 or on one topic: /quiz cuckooing; answer with A, B, C or D
  /refresh       refresher questions due for review first
  /progress      your refresher progress (kept between sessions)
  /cancel        stop a note, quiz round, checklist or referral route
  /help          this help
  /quit          leave (end of input works too)
Supervisors' exports are on the command line: run_bot.py notes export."""


def render_text(blocks: list[Block]) -> str:
    """Blocks as wrapped plain text, the terminal twin of the Telegram HTML card."""
    out: list[str] = []
    for block in blocks:
        if block.kind == "title":
            out.append(f"== {plain(block.heading or '')} ==  ({block.items[0]})")
            continue
        if block.heading:
            out.append(f"{block.heading}:")
        for n, item in enumerate(block.items, 1):
            if block.prose:
                out.append(textwrap.fill(plain(item), WIDTH))
                continue
            mark = f"{n}. " if block.numbered else "- "
            out.append(
                textwrap.fill(
                    plain(item), WIDTH, initial_indent="  " + mark, subsequent_indent="     "
                )
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


class Console:
    """Stateful chat session; `handle()` turns one input line into the reply text.

    Notes and quiz progress live in the database at `database_url` (the bot's own, by default
    from settings), written as the local user; without one, a scratch database serves a
    session that keeps nothing.
    """

    def __init__(
        self,
        knowledge: Knowledge,
        database_url: str | None = None,
        timezone: str = "Europe/London",
    ) -> None:
        self.knowledge = knowledge
        self.database_url = database_url
        self._scratch: tempfile.TemporaryDirectory | None = None
        self.timezone = timezone
        self.choices: list[Topic] = []
        self.last: Topic | None = None
        self.commands: dict[str, Callable[[str], str]] = {
            "/help": lambda _: HELP,
            "/start": lambda _: HELP,
            "/topics": self._topics,
            "/more": self._more,
            "/quiz": lambda rest: self.quiz.start("quiz", rest),
            "/refresh": lambda _: self.quiz.start("refresh", ""),
            "/progress": lambda _: self.quiz.progress(),
            "/cancel": self._cancel,
            "/check": lambda rest: self.check.start(rest),
            "/refer": lambda _: self.refer.start(),
            "/note": lambda rest: self.notes.start(rest),
            "/amend": lambda rest: self.notes.amend(rest),
            "/mynotes": lambda rest: self.notes.mynotes(rest),
        }
        self._quiz: QuizChat | None = None
        self._notes: NoteFlow | None = None
        self.db = None
        self.check = CheckFlow(knowledge, lambda: self.notes)
        self.refer = ReferFlow(knowledge)

    def _database(self) -> None:
        """Open the database on first use (a session of plain questions never needs it)."""
        if self.db is None:
            from bot.core.storage.db import open_database
            from bot.core.storage.schema import MODELS

            if self.database_url is None:
                self._scratch = tempfile.TemporaryDirectory(prefix="briefing-console-")
                self.database_url = f"sqlite:///{self._scratch.name}/session.db"
            self.db = open_database(self.database_url, MODELS)

    @property
    def quiz(self) -> QuizChat:
        """The refresher rounds, loaded on first use (most sessions never quiz)."""
        if self._quiz is None:
            self._database()
            self._quiz = QuizChat(self)
        return self._quiz

    @property
    def notes(self) -> NoteFlow:
        if self._notes is None:
            self._database()
            self._notes = NoteFlow(self.knowledge, self.timezone)
        return self._notes

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
        if self._scratch is not None:
            self._scratch.cleanup()

    def _cancel(self, _: str) -> str:
        said = [
            s
            for s in (
                self.notes.cancel(),
                self._quiz.cancel() if self._quiz else None,
                self.check.cancel(),
                self.refer.cancel(),
            )
            if s
        ]
        return " ".join(said) if said else "Nothing to cancel."

    def handle(self, line: str) -> str:
        text = line.strip()
        if not text:
            return "Type a question, or /help."
        if text.startswith("/"):
            name, _, rest = text.partition(" ")
            command = self.commands.get(name.lower())
            if command is None:
                return f"Unknown command {name}.\n\n{HELP}"
            return command(rest.strip())
        for flow in self._flows():
            if flow.takes(text):
                return flow.input(text)
        if text.isdigit() and self.choices:
            index = int(text) - 1
            if 0 <= index < len(self.choices):
                return self._show(self.choices[index])
            return f"Pick a number from 1 to {len(self.choices)}."
        reply = self._ask(text)
        draft = self._notes.draft() if self._notes is not None else None
        if draft is not None:  # a question typed mid-note: answered, and the note stays open
            reply += "\n\n(Your note is still open.)\n" + self._notes.prompt(draft)
        return reply

    def _flows(self) -> list:
        """Flows that may take a typed line, the note first (as in Telegram)."""
        flows: list = [self._notes] if self._notes is not None else []
        if self._quiz is not None:
            flows.append(self._quiz)
        return [*flows, self.check, self.refer]

    def _ask(self, text: str) -> str:
        return render_reply(self, self.knowledge.responder.respond(text))

    def _show(self, topic: Topic) -> str:
        self.last = topic
        kb = self.knowledge.kb
        self.choices = [kb.topics[r] for r in topic.related if r in kb.topics]
        contacts = self.knowledge.contacts
        local = contacts.card_lines(topic) if contacts else None
        text = render_text(answer_blocks(topic, local=local))
        if self.choices:
            text += "Related: " + "  ".join(
                f"{n}. {t.title}" for n, t in enumerate(self.choices, 1)
            )
            text += "\n(type a number to open it, /more for detail)"
        return text

    def _more(self, _: str) -> str:
        if self.last is None:
            return "Ask a question first; /more then shows the detail of the answer."
        return render_text(answer_blocks(self.last, detail=True))

    def _topics(self, _: str) -> str:
        self.choices = []
        lines = []
        for category, topics in self.knowledge.kb.by_category().items():
            lines.append(f"{CATEGORY_LABELS[category]}:")
            for topic in topics:
                self.choices.append(topic)
                lines.append(f"  {len(self.choices):>2}. {topic.title}")
        lines.append("Type a number to open a topic.")
        return "\n".join(lines)


def render_reply(console: Console, reply: Reply) -> str:
    """The first reply as the terminal shows it: the same text (unwrapped, exactly as the
    Telegram bot sends it), its buttons as numbered choices."""
    topics = console.knowledge.kb.topics
    console.choices = []
    shortcuts = []
    for row in reply.buttons:
        for button in row:
            if button.action == "topic" and button.arg in topics:
                console.choices.append(topics[button.arg])
                shortcuts.append(f"  {len(console.choices)}. {button.label}")
            elif button.action == "check":
                shortcuts.append(f"  Scene checklist: /check {button.arg}")
            elif button.action == "refer":
                shortcuts.append("  Referral route: /refer")
    if reply.topic is not None and reply.kind != "scene":
        console.last = reply.topic
    if console.choices:
        shortcuts.append("Type a number to open one, or /topics to browse.")
    elif reply.kind in ("out-of-scope", "not-held", "small-talk"):
        shortcuts.append("Type /topics to browse every topic.")
    return reply.text + ("\n\n" + "\n".join(shortcuts) if shortcuts else "")


class QuizChat:
    """/quiz in the terminal: the bot's rounds and Leitner cards, in the database as the local
    user, so progress survives /quit."""

    def __init__(self, console: Console) -> None:
        from zoneinfo import ZoneInfo

        from bot.core.quiz.service import QuizService
        from bot.core.services import quiz_bank_of

        self.console = console
        self.service = QuizService(quiz_bank_of(console.knowledge), ZoneInfo(console.timezone))

    def current(self):
        return self.service.current(LOCAL_USER)

    def start(self, kind: str, wanted: str) -> str:
        from bot.core.quiz.service import TOPIC, parse_category
        from bot.core.quiz.topics import find_topic

        category = topic = None
        if wanted.strip() and wanted.strip().casefold() != "all":
            category = parse_category(wanted)
            if category is None:
                knowledge = self.console.knowledge
                found, nearest = find_topic(
                    knowledge.kb, knowledge.engine, self.service.bank, wanted
                )
                if found is None:
                    names = ", ".join(CATEGORY_LABELS)
                    near = "; ".join(f"/quiz {t.id}" for t in nearest)
                    return (
                        f"I couldn't tell which subject {wanted.strip()!r} means. "
                        + (f"Nearest: {near}. " if near else "")
                        + f"Categories: {names}."
                    )
                kind, topic = TOPIC, found.id
        started = self.service.start(LOCAL_USER, kind, category, topic=topic)
        if started.first is None:
            return "Nothing to ask right now. Try /quiz for a practice round."
        head = "(Your unfinished round was set aside.)\n" if started.replaced else ""
        return head + self._question(started.first)

    def takes(self, text: str) -> bool:
        """A letter (or true/false) typed while a question is waiting."""
        return self._choice(text) is not None

    def _choice(self, text: str, shown=None) -> int | None:
        from bot.core.quiz.service import parse_letter

        shown = shown or self.current()
        if shown is None:
            return None
        if shown.question.type == "truefalse" and text.strip().casefold() in ("true", "false"):
            return 0 if text.strip().casefold() == "true" else 1
        choice = parse_letter(text, shown.letters)
        return choice

    def answer(self, text: str) -> str:
        from bot.core.quiz.service import Answered

        shown = self.current()
        if shown is None:
            return "No quiz round is open. Type /quiz to start one."
        choice = self._choice(text, shown)
        result = self.service.answer(
            LOCAL_USER, shown.round_id, shown.position, choice if choice is not None else -1
        )
        if not isinstance(result, Answered):
            return "Type one of the letters shown."
        shown = result.shown
        chosen, right = shown.options[result.chosen], shown.options[shown.answer]
        letter = shown.letters
        lines = []
        if result.correct:
            lines += [_wrap(f"Right: {letter[shown.answer]}. {right.text}", ""), _wrap(right.why)]
        else:
            lines += [
                _wrap(f"Not quite. You chose {letter[result.chosen]}. {chosen.text}", ""),
                _wrap(chosen.why),
                _wrap(f"Answer: {letter[shown.answer]}. {right.text}", ""),
                _wrap(right.why),
            ]
        topic = self.console.knowledge.kb.topics.get(shown.question.topic)
        if topic:
            self.console.choices = [topic]
            lines.append(f"Read the topic: type 1 for {topic.title}.")
        lines.append("")
        if result.next is not None:
            lines.append(self._question(result.next))
        else:
            lines.append(f"Round complete: {result.score} of {shown.total} right.")
            lines.append("Type /quiz for another round or /progress to see how you are doing.")
        return "\n".join(lines)

    def _question(self, shown) -> str:
        lines = [
            f"Question {shown.position + 1} of {shown.total} ({CATEGORY_LABELS[shown.category]})",
            textwrap.fill(shown.question.question, WIDTH),
        ]
        lines += [
            textwrap.fill(
                f"{shown.letters[i]}. {o.text}",
                WIDTH,
                initial_indent="  ",
                subsequent_indent="     ",
            )
            for i, o in enumerate(shown.options)
        ]
        lines.append(f"Type {', '.join(shown.letters[:-1])} or {shown.letters[-1]}.")
        return "\n".join(lines)

    def progress(self) -> str:
        from bot.core.quiz.schedule import bar

        progress = self.service.progress(LOCAL_USER)
        total = sum(t.total for t in progress.tallies.values())
        lines = [f"Your progress: {progress.answered} of {total} questions answered"]
        for category, tally in progress.tallies.items():
            label = CATEGORY_LABELS[category].split(" ")[0]
            lines.append(
                f"  {label:<13} {bar(tally)} {tally.mastered:>3} mastered "
                f"{tally.learning:>3} learning {tally.new:>3} not seen"
            )
        if progress.weakest:
            topics = self.console.knowledge.kb.topics
            self.console.choices = [topics[w.topic] for w in progress.weakest]
            lines.append("Weakest topics (type a number to read one):")
            lines += [f"  {n}. {t.title}" for n, t in enumerate(self.console.choices, 1)]
        return "\n".join(lines)

    def cancel(self) -> str | None:
        if self.service.cancel(LOCAL_USER) is not None:
            return "Quiz round stopped. Your answers so far count towards /progress."
        return None

    input = answer


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent="  ")


def run_console(
    knowledge: Knowledge,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    database_url: str | None = None,
    timezone: str = "Europe/London",
) -> int:
    """Read one message per line until /quit or end of input; works piped or interactive."""
    # Looked up at call time, not bound at import: whoever runs us may have redirected them.
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    console = Console(knowledge, database_url, timezone)
    interactive = stdin.isatty()
    if interactive:
        stdout.write(
            "County Lines briefing bot (terminal chat). /help for help, /quit to leave.\n"
        )
    while True:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            break
        if line.strip().lower() in ("/quit", "/exit"):
            break
        stdout.write(console.handle(line).rstrip() + "\n\n")
        stdout.flush()
    console.close()
    return 0
