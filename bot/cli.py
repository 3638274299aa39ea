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
from bot.core.storage.migrations import SchemaTooNew
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
    serve = sub.add_parser("serve", help="the Telegram bot only (for a service manager)")
    serve.add_argument("--webhook", metavar="URL", default=argparse.SUPPRESS, help="as above")
    sub.add_parser("doctor", help="check settings, knowledge, database, Bot API, time zone")
    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("query")
    ask.add_argument("--json", action="store_true", help="machine-readable output")
    ask.add_argument("--top", type=int, default=3, metavar="K", help="results to list (default 3)")
    ev = sub.add_parser("eval", help="measure search quality on labelled queries")
    ev.add_argument("file", type=Path)
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--misses", action="store_true", help="list the queries that went wrong")
    ev.add_argument("--lines", action="store_true", help="list what every query got (stderr)")
    kb = sub.add_parser("kb", help="knowledge base tools")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    kb_sub.add_parser("check", help="validate every curated file")
    kb_sub.add_parser("export", help="print every entry as JSON")
    kb_sub.add_parser("train", help="learn the ranker from knowledge/eval (not the blind sets)")
    from bot.core.notes.cli import add_parser as add_notes_parser

    add_notes_parser(sub)
    backup = sub.add_parser("backup", help="a checked copy of the database, safe while running")
    backup.add_argument("--out", type=Path, required=True, metavar="FILE")
    db = sub.add_parser("db", help="database schema: version and upgrade")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply pending schema migrations (start-up does it too)")
    db_sub.add_parser("version", help="the database's schema version and this code's")
    return parser


def main(argv: list[str] | None = None) -> int:
    # Everything this process creates (database, exports, backups, logs) is its owner's only.
    os.umask(0o077)
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        if args.command == "doctor":
            from bot.doctor import settings_failure

            return settings_failure(str(exc))
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
    except SchemaTooNew as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader left (`... | head`): nothing more to say, and the interpreter's own
        # flush at exit must not fail again on the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if settings.telegram_bot_token is None:
        if args.webhook:
            print("--webhook needs TELEGRAM_BOT_TOKEN to be set.", file=sys.stderr)
            return 2
        print(
            "run_bot.py: no TELEGRAM_BOT_TOKEN, starting the terminal chat "
            "(`run_bot.py serve` runs the Telegram bot or fails)",
            file=sys.stderr,
        )
        return _console(args, settings)
    return _serve(args, settings)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    if settings.telegram_bot_token is None:
        print(
            "serve: TELEGRAM_BOT_TOKEN is not set; put the token from @BotFather in it "
            "(environment or .env)",
            file=sys.stderr,
        )
        return 2
    from bot.telegram.app import run_telegram

    webhook = args.webhook or settings.webhook_url
    how = f"webhook {webhook}" if webhook else "long polling"
    print(f"run_bot.py: starting the Telegram bot ({how})", file=sys.stderr)
    return run_telegram(settings, webhook_url=webhook)


def _doctor(args: argparse.Namespace, settings: Settings) -> int:
    from bot.doctor import run_doctor

    return run_doctor(settings)


def _console(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import run_console

    return run_console(
        load_knowledge(settings.knowledge_dir),
        database_url=settings.database_url,
        timezone=settings.timezone,
    )


def _tool_knowledge(settings: Settings):
    """Curators' tools still run on a knowledge base with errors, saying so on stderr."""
    knowledge = load_knowledge(settings.knowledge_dir, strict=False)
    if knowledge.kb.errors:
        print(f"warning: {len(knowledge.kb.errors)} kb errors; run `kb check`", file=sys.stderr)
    return knowledge


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import Console

    knowledge = _tool_knowledge(settings)
    if args.json:
        reply = knowledge.responder.respond(args.query, limit=max(args.top, 1))
        payload = {
            "query": args.query,
            "answered": reply.answered,
            "kind": reply.kind,
            "reply": reply.text,  # the first message as plain text, exactly as sent
            "unit": reply.unit.key if reply.unit else None,
            "offence": reply.offence.id if reply.offence else None,
            "topic": reply.topic.id if reply.topic else None,
            "results": [
                {"id": h.topic.id, "title": h.topic.title, "score": h.score}
                for h in reply.hits[: max(args.top, 1)]
            ],
        }
        print(json.dumps(payload, ensure_ascii=False))
    else:
        print(Console(knowledge).handle(args.query))
    return 0


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.answers.evaluation import EvalLine, evaluate, read_queries, report_text

    knowledge = _tool_knowledge(settings)
    try:
        queries = read_queries(args.file)
    except (OSError, ValueError) as exc:
        print(f"cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    named = {i for q in queries for i in q.accepted}
    unknown = sorted(named - set(knowledge.kb.topics))
    if unknown:
        print(f"{args.file}: unknown expected ids: {', '.join(unknown)}", file=sys.stderr)
        return 2
    lines: list[EvalLine] = []
    report, misses = evaluate(knowledge.responder, queries, knowledge.build_ms, lines)
    print(report.model_dump_json() if args.json else report_text(report))
    if args.misses:
        for miss in misses:
            print(json.dumps(miss.model_dump()), file=sys.stderr)
    if args.lines:
        for line in lines:
            print(line.model_dump_json(), file=sys.stderr)
    return 0


def _kb(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.knowledge.check import check_knowledge

    if args.kb_command == "train":
        return _kb_train(settings)
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
                "reviewed_by": t.reviewed_by,
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


def _kb_train(settings: Settings) -> int:
    from bot.core.answers.ranker import RANKER_FILE
    from bot.core.answers.training import train

    knowledge = _tool_knowledge(settings)
    scope = knowledge.responder.scope
    done = train(knowledge.engine, settings.knowledge_dir, lambda q: bool(scope.small_talk(q)))
    path = settings.knowledge_dir / RANKER_FILE
    path.write_text(done.model.to_json(), encoding="utf-8")
    print(
        f"kb train: {done.questions} questions, {done.rows} candidates "
        f"({done.positives} right); wrote {path}"
    )
    return 0


def _notes(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.notes.cli import run

    return run(args, settings)


def _db(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.storage import migrations
    from bot.core.storage.db import connect_url
    from bot.core.storage.schema import MODELS

    db = connect_url(settings.database_url)
    try:
        if args.db_command == "version":
            with db.connection_context():
                version = migrations.current_version(db)
            print(f"db version: database {version}, code {migrations.latest()}")
            return 0 if version == migrations.latest() else 1
        print(migrations.upgrade(db, MODELS).summary())
        return 0
    finally:
        db.close()


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.storage.backup import backup, record
    from bot.core.storage.db import open_database
    from bot.core.storage.schema import MODELS

    result = backup(settings.database_url, args.out)
    for line in result.lines:
        print(line)
    if not result.ok:
        return 1
    from peewee import DatabaseError

    live = open_database(settings.database_url, MODELS, upgrade=False)
    try:
        with live.connection_context():
            record(args.out, result.lines[-1].removeprefix("copy: "))
    except DatabaseError as exc:  # an empty database has no audit table yet
        print(f"backup: not recorded in the audit table ({type(exc).__name__})")
    finally:
        live.close()
    return 0


COMMANDS = {
    "run": _run,
    "console": _console,
    "serve": _serve,
    "doctor": _doctor,
    "ask": _ask,
    "eval": _eval,
    "kb": _kb,
    "notes": _notes,
    "db": _db,
    "backup": _backup,
}
