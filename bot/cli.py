"""`python run_bot.py ...`: the bot, the terminal chat and the curators' and supervisors' tools."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from telegram.error import NetworkError

from bot.config import Settings, SettingsError, load_settings
from bot.core.services import KnowledgeError, load_knowledge
from bot.logs import setup_logging


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run_bot.py",
        description="County Lines briefing bot. With no command: the Telegram bot when "
        "TELEGRAM_BOT_TOKEN is set, otherwise the terminal chat.",
    )
    parser.add_argument("--webhook", metavar="URL", help="run a webhook at URL instead of polling")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("console", help="chat with the bot in the terminal")
    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("query")
    ask.add_argument("--json", action="store_true", help="machine-readable output")
    ask.add_argument("--top", type=int, default=3, metavar="K", help="results to list (default 3)")
    ev = sub.add_parser("eval", help="measure search quality on labelled queries")
    ev.add_argument("file", type=Path)
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--misses", action="store_true", help="list the queries that went wrong")
    kb = sub.add_parser("kb", help="knowledge base tools")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    kb_sub.add_parser("check", help="validate every curated file")
    kb_sub.add_parser("export", help="print every entry as JSON")
    from bot.core.notes_cli import add_parser as add_notes_parser

    add_notes_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Everything this process creates (database, exports, backups, logs) is its owner's only.
    os.umask(0o077)
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.secrets())
    handler = COMMANDS.get(args.command or "run")
    try:
        return handler(args, settings)
    except NetworkError as exc:  # its message never holds the URL (and so the token)
        print(f"Cannot reach the Telegram Bot API: {exc}", file=sys.stderr)
        return 1
    except KnowledgeError as exc:
        print(exc, file=sys.stderr)
        return 1
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if settings.telegram_bot_token is None:
        if args.webhook:
            print("--webhook needs TELEGRAM_BOT_TOKEN to be set.", file=sys.stderr)
            return 2
        return _console(args, settings)
    from bot.telegram.app import run_telegram

    return run_telegram(settings, webhook_url=args.webhook or settings.webhook_url)


def _console(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import run_console

    return run_console(load_knowledge(settings.knowledge_dir))


def _tool_knowledge(settings: Settings):
    """Curators' tools still run on a knowledge base with errors, saying so on stderr."""
    knowledge = load_knowledge(settings.knowledge_dir, strict=False)
    if knowledge.kb.errors:
        print(f"warning: {len(knowledge.kb.errors)} kb errors; run `kb check`", file=sys.stderr)
    return knowledge


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import Console

    knowledge = _tool_knowledge(settings)
    result = knowledge.engine.search(args.query, limit=max(args.top, 1))
    if args.json:
        payload = {
            "query": args.query,
            "answered": result.answered,
            "results": [
                {"id": h.topic.id, "title": h.topic.title, "score": h.score} for h in result.hits
            ],
        }
        print(json.dumps(payload, ensure_ascii=False))
    else:
        print(Console(knowledge).handle(args.query))
    return 0


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.evaluation import evaluate, read_queries, report_text

    knowledge = _tool_knowledge(settings)
    try:
        queries = read_queries(args.file)
    except (OSError, ValueError) as exc:
        print(f"cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    unknown = sorted({q.expected for q in queries if q.expected} - set(knowledge.kb.topics))
    if unknown:
        print(f"{args.file}: unknown expected ids: {', '.join(unknown)}", file=sys.stderr)
        return 2
    report, misses = evaluate(knowledge.engine, queries, knowledge.build_ms)
    print(report.model_dump_json() if args.json else report_text(report))
    if args.misses:
        for miss in misses:
            print(json.dumps(miss.model_dump()), file=sys.stderr)
    return 0


def _kb(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.kbcheck import check_knowledge

    kb, problems = check_knowledge(settings.knowledge_dir)
    if args.kb_command == "export":
        if kb.errors:
            print("\n".join(str(p) for p in kb.errors), file=sys.stderr)
            return 1
        entries = [
            {
                **t.model_dump(
                    mode="json",
                    include={"id", "title", "category", "aliases", "keywords", "summary"},
                ),
                "body": t.body,
                "sources": [s.model_dump() for s in t.sources],
                "reviewed": t.reviewed.isoformat(),
            }
            for t in kb.topics.values()
        ]
        print(json.dumps(entries, ensure_ascii=False, indent=2))
        return 0
    for problem in problems:
        print(problem)
    errors = sum(p.level == "error" for p in problems)
    warnings = len(problems) - errors
    print(f"kb check: {len(kb.topics)} topics, {errors} errors, {warnings} warnings")
    return 1 if errors else 0


def _notes(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.notes_cli import run

    return run(args, settings)


COMMANDS = {
    "run": _run,
    "console": _console,
    "ask": _ask,
    "eval": _eval,
    "kb": _kb,
    "notes": _notes,
}
