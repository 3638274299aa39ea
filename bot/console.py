"""The terminal chat: the same answers as the Telegram bot, one message per input line."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable
from typing import TextIO

from bot.core.cards import Block, answer_blocks, plain
from bot.core.search import SearchResult, Verdict
from bot.core.services import Knowledge
from bot.core.topics import CATEGORY_LABELS, Topic

WIDTH = 78
HELP = """\
Ask a question in your own words, e.g. "signs of cuckooing" or "s45 defence for a 16 year old".
Commands:
  /topics        browse every topic by category
  /more          more detail on the last answer
  <number>       open a numbered topic from the last list
  /help          this help
  /quit          leave (end of input works too)"""


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
    """Stateful chat session; `handle()` turns one input line into the reply text."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.choices: list[Topic] = []
        self.last: Topic | None = None
        self.commands: dict[str, Callable[[str], str]] = {
            "/help": lambda _: HELP,
            "/start": lambda _: HELP,
            "/topics": self._topics,
            "/more": self._more,
        }

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
        if text.isdigit() and self.choices:
            index = int(text) - 1
            if 0 <= index < len(self.choices):
                return self._show(self.choices[index])
            return f"Pick a number from 1 to {len(self.choices)}."
        return self._ask(text)

    def _ask(self, text: str) -> str:
        result = self.knowledge.engine.search(text)
        if result.answered:
            return self._show(result.hits[0].topic)
        return self._offer(result)

    def _offer(self, result: SearchResult) -> str:
        self.choices = [h.topic for h in result.hits]
        if result.verdict is Verdict.DID_YOU_MEAN:
            head = "I'm not certain which topic you mean. Did you mean:"
        elif self.choices:
            head = "I'm not sure I have an answer to that. The nearest topics are:"
        else:
            return "I'm not sure I have an answer to that. Type /topics to browse every topic."
        lines = [head] + [f"  {n}. {t.title}" for n, t in enumerate(self.choices, 1)]
        return "\n".join([*lines, "Type a number to open one, or /topics to browse."])

    def _show(self, topic: Topic) -> str:
        self.last = topic
        kb = self.knowledge.kb
        self.choices = [kb.topics[r] for r in topic.related if r in kb.topics]
        text = render_text(answer_blocks(topic))
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


def run_console(
    knowledge: Knowledge, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout
) -> int:
    """Read one message per line until /quit or end of input; works piped or interactive."""
    console = Console(knowledge)
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
    return 0
