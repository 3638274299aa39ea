"""`python run_bot.py notes export|verify|purge`: the notebook tools for supervisors and admins."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path

from bot.config import Settings
from bot.core.storage.db import open_database
from bot.core.storage.schema import MODELS


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _head(text: str) -> str:
    if not re.fullmatch(r"[0-9a-fA-F]{16,64}", text.strip()):
        raise argparse.ArgumentTypeError(f"not a chain head (16 to 64 hex characters): {text!r}")
    return text.strip().lower()


def add_parser(sub: argparse._SubParsersAction) -> None:
    notes = sub.add_parser("notes", help="field notes: export, verify the hash chain, purge")
    tools = notes.add_subparsers(dest="notes_command", required=True)
    export = tools.add_parser("export", help="notes as CSV or JSON (all, or some UK days)")
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument("--from", dest="start", type=_day, metavar="YYYY-MM-DD")
    export.add_argument("--to", dest="end", type=_day, metavar="YYYY-MM-DD")
    export.add_argument(
        "--out", type=Path, help="write to this new file (mode 0600), not standard output"
    )
    export.add_argument("--force", action="store_true", help="replace --out if it exists")
    verify = tools.add_parser("verify", help="report edited, reordered or deleted notes")
    verify.add_argument(
        "--expect-head",
        type=_head,
        metavar="HASH",
        help="a chain head recorded earlier (at least 16 hex characters): must still be in it",
    )
    purge = tools.add_parser(
        "purge", help="delete notes past retention (recorded in the audit table)"
    )
    purge.add_argument(
        "--older-than", type=int, metavar="DAYS", help="default: NOTES_RETENTION_DAYS"
    )
    purge.add_argument("--dry-run", action="store_true", help="say what would go; change nothing")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.notes.log import use_chain_key

    db = open_database(settings.database_url, MODELS)
    use_chain_key(
        settings.notes_chain_key.get_secret_value() if settings.notes_chain_key else None
    )
    try:
        with db.connection_context():
            return {"export": _export, "verify": _verify, "purge": _purge}[args.notes_command](
                args, settings
            )
    finally:
        db.close()


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.clock import day_bounds
    from bot.core.notes.export import audit_export, export_rows, to_csv, to_json
    from bot.core.storage.db import sqlite_path
    from bot.core.storage.private_files import FileRefused, write_private

    if args.start and args.end and args.start > args.end:
        print("--from is after --to", file=sys.stderr)
        return 2
    zone = settings.timezone
    rows = export_rows(*day_bounds(args.start, args.end, zone), zone)
    data = to_csv(rows) if args.format == "csv" else to_json(rows, args.start, args.end, zone)
    if args.out:
        database = sqlite_path(settings.database_url)
        guarded = (
            [database.with_name(database.name + s) for s in ("", "-wal", "-shm")]
            if database is not None  # only a SQLite file can be overwritten by an export
            else []
        )
        try:
            write_private(args.out, data, force=args.force, protect=guarded)
        except FileRefused as exc:
            print(f"notes export: {exc}", file=sys.stderr)
            return 2
        print(f"notes export: {len(rows)} entries to {args.out}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    audit_export(None, args.start, args.end, len(rows))  # only what was handed over
    return 0


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.notes.chain import verify

    result = verify(args.expect_head)
    for problem in result.problems:
        print(problem)
    print(result.summary())
    return 0 if result.ok else 1


def _purge(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.notes.chain import purge

    days = args.older_than if args.older_than is not None else settings.notes_retention_days
    if days < 1:
        print("--older-than must be at least 1 day", file=sys.stderr)
        return 2
    result = purge(days, actor=None, dry_run=args.dry_run)
    if result.refused:
        for problem in result.refused:
            print(problem)
        print("notes purge: refused, the chain has problems (see above; run `notes verify`)")
        return 1
    through = f" (through {result.through})" if result.through else ""
    if args.dry_run:
        print(f"notes purge --dry-run: would remove {result.removed} notes{through}")
        return 0
    print(
        f"notes purge: removed {result.removed} notes older than {days} days{through}; "
        f"recorded in the audit table; {result.drafts} abandoned drafts removed"
    )
    return 0
