"""Files the bot writes that hold personal data (exports, backups): private, new, never a link,
never the live database.

`notes export --out` pointed at the database once overwrote it; a symlink planted where an
export goes could send it anywhere; and files were created readable by everyone.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path

MODE = 0o600


class FileRefused(Exception):
    """Why a file was not written, in one line fit for the terminal."""


def _same(path: Path, other: Path) -> bool:
    with contextlib.suppress(OSError):
        if path.resolve() == other.resolve():
            return True
        return path.exists() and other.exists() and os.path.samefile(path, other)
    return False


def write_private(
    path: Path, data: bytes, *, force: bool = False, protect: Iterable[Path] = ()
) -> None:
    """Write `data` to a new file at `path`, mode 0600. An existing file is replaced only with
    `force` (atomically, never through a symlink); `protect` (the database) never is."""
    if path.is_symlink():
        raise FileRefused(f"{path} is a symbolic link; give the real path")
    for guarded in protect:
        if _same(path, guarded):
            raise FileRefused(f"{path} is the bot's database; choose another file")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    target = path
    if force and path.exists():
        if not path.is_file():
            raise FileRefused(f"{path} is not a regular file")
        target = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(target, flags, MODE)
    except FileExistsError:
        raise FileRefused(f"{path} already exists; use --force to replace it") from None
    except OSError as exc:
        raise FileRefused(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if target != path:
            os.replace(target, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(target)
        raise FileRefused(f"cannot write {path}: {exc.strerror}") from None
