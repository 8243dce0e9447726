"""File access that stays inside the tree asked for: regular files opened without blocking and read with a
size cap, symbolic links that leave the tree refused, and report files written without following a link."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import TextIO

CONFIG_MAX_BYTES = 1024 * 1024  # a config file or a schema file larger than this is refused
TEMPORARY = ".tmp-"  # how a cache file being written starts its name
_STALE_NS = 3600 * 1_000_000_000  # a temporary file this old was left by a process that died while writing


class NotRegularFile(OSError):
    """The path is not a regular file (a FIFO, a device, a directory) or is larger than allowed."""


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def boundary(path: str) -> str:
    """The tree a file may lie in: the working directory (the repository) for a path under it, else the
    repository that holds the file (the nearest folder above it with a ``.git``), else the file's own folder."""
    full = os.path.abspath(path)
    cwd = os.path.abspath(os.curdir)
    if _inside(full, cwd):
        return os.path.realpath(cwd)
    folder = os.path.dirname(full)
    return os.path.realpath(_repository_of(folder) or folder)


@lru_cache(maxsize=256)
def _repository_of(folder: str) -> str | None:
    """The nearest folder at or above ``folder`` that holds a ``.git`` (a folder, or a worktree's file)."""
    while True:
        if os.path.lexists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def escapes_tree(path: str) -> bool:
    """Whether ``path`` reaches, through a symbolic link, a file outside its tree (``boundary``) or inside
    a ``.git`` folder (its ``config`` can hold the checkout's token)."""
    target, root = os.path.realpath(path), boundary(path)
    if not _inside(target, root):
        return True
    inside = os.path.relpath(target, root).split(os.sep)
    return ".git" in inside and ".git" not in os.path.relpath(os.path.abspath(path), root).split(os.sep)


def read_regular(path: str | Path, limit: int) -> tuple[bytes, int]:
    """At most ``limit + 1`` bytes of a regular file and its size, opened without blocking (a FIFO swapped
    in after listing never hangs) and checked after opening. NotRegularFile for anything else."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file")
        if info.st_size > limit:
            return b"", info.st_size
        chunks: list[bytes] = []
        wanted = limit + 1
        while wanted > 0:  # the size it had when opened, then what it grew by, up to limit + 1 bytes in all
            chunk = os.read(descriptor, min(wanted, max(info.st_size + 1, 1 << 16)))
            if not chunk:
                break
            chunks.append(chunk)
            wanted -= len(chunk)
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        return data, len(data)
    finally:
        os.close(descriptor)


def read_capped_text(path: str | Path, limit: int = CONFIG_MAX_BYTES) -> str:
    """A regular UTF-8 file of at most ``limit`` bytes (config and schema files); OSError or
    UnicodeDecodeError otherwise."""
    data, size = read_regular(path, limit)
    if size > limit:
        raise NotRegularFile(errno.EFBIG, f"larger than {limit} bytes")
    return data.decode("utf-8")


def open_for_writing(path: str | Path, append: bool = False) -> TextIO:
    """A report file opened for writing (truncated unless ``append``) without following a symbolic link at
    ``path`` (OSError "is a symbolic link" then) and without blocking on a FIFO that nobody reads."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    flags |= os.O_APPEND if append else os.O_TRUNC
    try:
        descriptor = os.open(path, flags, 0o666)
    except OSError as error:
        if error.errno == errno.ELOOP or os.path.islink(path):
            raise OSError(errno.ELOOP, "is a symbolic link; not writing through it", str(path)) from None
        raise
    os.set_blocking(descriptor, True)
    return os.fdopen(descriptor, "w", encoding="utf-8")


class ChangedDuringRun(OSError):
    """The file is no longer what was read: another writer got there first."""


_NEW_FILE = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
             | getattr(os, "O_BINARY", 0))


def _create_temporary(folder: str, prefix: str, suffix: str) -> tuple[int, str]:
    """A new file of a random name in ``folder``, only for this user, open for writing (what
    ``tempfile.mkstemp`` does, without its import: 5 ms of a one-file run)."""
    for _ in range(100):
        path = os.path.join(folder, f"{prefix}{os.urandom(8).hex()}{suffix}")
        try:
            return os.open(path, _NEW_FILE, 0o600), path
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary file name", folder)


def replace_file(target: str, chunks: Iterable[bytes], prefix: str, suffix: str = "", *, mode: int | None = None,
                 sync: bool = False, before_rename: Callable[[], None] | None = None) -> None:
    """Write ``chunks`` to a temporary file beside ``target`` (named ``prefix``...``suffix``), then rename it over
    ``target``: a reader sees the old file or the new one, never part of one. ``sync``: on the disk before the
    rename; ``mode``: the new file's permissions; ``before_rename`` may raise to leave ``target`` as it is. The
    temporary file never outlives a failure."""
    handle, temporary = _create_temporary(os.path.dirname(target) or ".", prefix, suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            out.writelines(chunks)
            if sync:
                out.flush()
                os.fsync(out.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        if before_rename is not None:
            before_rename()
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_atomic(path: str, data: bytes, expected: bytes | None = None) -> None:
    """Replace the file at ``path`` (following a link within the tree) by ``data``: a temporary file beside
    it, fsync, its mode kept, rename. A link out of the tree raises OSError; with ``expected``, a file that
    no longer holds those bytes raises ChangedDuringRun and is left alone."""
    if escapes_tree(path):
        raise OSError(errno.EPERM, "symbolic link out of the repository; not written", path)
    target = os.path.realpath(path)

    def unchanged() -> None:
        if expected is not None and read_regular(target, len(expected))[0] != expected:
            raise ChangedDuringRun(errno.EAGAIN, "the file changed during the run", path)

    replace_file(target, [data], f".{os.path.basename(target)}.", ".tmp", mode=stat.S_IMODE(os.stat(target).st_mode),
                 sync=True, before_rename=unchanged)


def remove(path: str | Path) -> bool:
    """Remove a file; False when it cannot be (gone already, say)."""
    try:
        os.unlink(path)
    except OSError:
        return False
    return True


def left_by_a_dead_writer(name: str, mtime_ns: int) -> bool:
    """A temporary file old enough that the process writing it must have died."""
    return name.startswith(TEMPORARY) and mtime_ns < time.time_ns() - _STALE_NS


def prune(folder: str | Path, suffix: str, keep: int) -> None:
    """Keep the ``keep`` newest files named ``*suffix`` in ``folder`` (never a link: a cache folder committed
    to the tree may hold one), and remove the temporary files left there by a process that died writing."""
    if os.path.islink(folder):
        return
    try:
        with os.scandir(folder) as entries:
            found = sorted((entry.stat(follow_symlinks=False).st_mtime_ns, entry.name, entry.path)
                           for entry in entries if entry.is_file(follow_symlinks=False))
    except OSError:
        return
    kept = [path for _, name, path in found if name.endswith(suffix)]
    for path in [*kept[:-keep], *(path for ns, name, path in found if left_by_a_dead_writer(name, ns))]:
        remove(path)
