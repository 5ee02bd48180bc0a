"""Atomic file writes that honour the umask, and the removal of temporaries left by a crash.

Every file neqlab writes (results, checkpoints, figures, report pages) goes through
:func:`atomic_write` (re-exported as ``neqlab.io.store.atomic_write``). The order is:

1. remove the *stale* temporaries of the same target (rule below);
2. create ``.NAME.XXXXXXXX.tmp`` next to ``NAME`` with ``O_CREAT | O_EXCL`` and mode
   0o666, so the kernel applies the umask (0644 under umask 022, 0600 under 077), and
   keep it open until the end;
3. the caller writes the temporary through its path (netCDF, matplotlib, ``open``);
4. on success: ``fsync`` (unless ``durable=False``), rename over ``NAME``, ``fsync`` the
   directory; on any exception, KeyboardInterrupt included: remove the temporary.

A reader therefore sees the old ``NAME`` or the complete new one, never a part. Only a
``kill -9`` (or a power cut) between 2 and 4 leaves the temporary behind.

**Stale rule.** A file is removed as a stale temporary of ``NAME`` only if *all* hold:

- its name is exactly ``.NAME.`` + 8 characters of ``[a-z0-9_]`` + ``.tmp`` in the
  directory of ``NAME`` (the pattern of this module and of earlier neqlab versions;
  nothing else is ever touched);
- it is a regular file (not a symlink, not a directory) owned by the current user;
- it was last modified before the current process started (so it cannot be a file this
  process or one started after it is writing);
- no process visible in ``/proc`` has it open (a writer keeps its temporary open from
  creation to rename, so a concurrent writer's file is never removed, however old).

Where ``/proc`` is missing (not Linux) the last check is skipped and the age rule alone
applies: a writer that started before this process and has not touched its temporary
since might lose it, and its rename then fails with an error rather than writing a
partial file.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> with atomic_write(d / "a.txt") as tmp:
...     _ = tmp.write_text("done")
>>> sorted(p.name for p in d.iterdir()), (d / "a.txt").read_text()
(['a.txt'], 'done')
"""

from __future__ import annotations

import os
import re
import secrets
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789_"  # as tempfile.mkstemp, used by earlier versions
_TEMP_SUFFIX = ".tmp"


def _process_start() -> float:
    """Start time of this process [s since the epoch, ~10 ms]; import time where /proc is missing."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        since_boot = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: start time after boot
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return time.time() - uptime + since_boot
    except (OSError, ValueError, IndexError):
        return time.time()


PROCESS_START = _process_start()


def temporary_pattern(target: str | os.PathLike) -> re.Pattern[str]:
    """The names of ``target``'s temporaries: ``.NAME.`` + 8 of ``[a-z0-9_]`` + ``.tmp``."""
    return re.compile(re.escape(f".{Path(target).name}.") + "[a-z0-9_]{8}" + re.escape(_TEMP_SUFFIX))


def _open_elsewhere(paths: list[Path]) -> set[tuple[int, int]]:
    """(device, inode) of those ``paths`` that some process in /proc has open."""
    wanted = {}
    for p in paths:
        try:
            st = os.lstat(p)
        except OSError:
            continue
        wanted[(st.st_dev, st.st_ino)] = p
    held: set[tuple[int, int]] = set()
    proc = Path("/proc")
    if not wanted or not proc.is_dir():
        return held
    for pid_dir in proc.iterdir():
        if not pid_dir.name.isdigit():
            continue
        try:
            fds = list((pid_dir / "fd").iterdir())
        except OSError:  # another user's process, or gone
            continue
        for fd in fds:
            try:
                st = os.stat(fd)
            except OSError:
                continue
            if (st.st_dev, st.st_ino) in wanted:
                held.add((st.st_dev, st.st_ino))
    return held


def remove_stale_temporaries(target: str | os.PathLike) -> list[Path]:
    """Remove the stale temporaries of ``target`` (see the module's rule); return them."""
    target = Path(target)
    directory = target.parent if str(target.parent) else Path(".")
    pattern = temporary_pattern(target)
    try:
        names = [e.name for e in os.scandir(directory) if pattern.fullmatch(e.name)]
    except OSError:
        return []
    candidates = []
    for name in names:
        p = directory / name
        try:
            st = os.lstat(p)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid() and st.st_mtime < PROCESS_START:
            candidates.append(p)
    if not candidates:
        return []
    held = _open_elsewhere(candidates)
    removed = []
    for p in candidates:
        try:
            st = os.lstat(p)
            if (st.st_dev, st.st_ino) in held:
                continue
            p.unlink()
            removed.append(p)
        except OSError:
            continue
    return removed


def create_temporary(target: Path) -> tuple[int, Path]:
    """Create and open (write-only) a new temporary of ``target``, mode 0o666 minus the umask."""
    for _ in range(100):
        name = f".{target.name}." + "".join(secrets.choice(_ALPHABET) for _ in range(8)) + _TEMP_SUFFIX
        tmp = target.with_name(name)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        except FileExistsError:
            continue
        return fd, tmp
    raise FileExistsError(f"no free temporary name next to {target}")


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_write(target: str | os.PathLike, *, durable: bool = True) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it to ``target`` if the block succeeds.

    The caller writes the temporary by path and must give the format explicitly where
    it is guessed from the name (``fig.savefig(tmp, format="png")``). The file gets
    mode 0o666 minus the umask. ``durable``: fsync the file and the directory (results);
    checkpoints pass False, their checksum catches a chunk torn by a power cut.

    The directory of ``target`` must exist.
    """
    target = Path(target)
    remove_stale_temporaries(target)
    fd, tmp = create_temporary(target)
    try:
        yield tmp
        if durable:
            os.fsync(fd)  # flushes what was written through any descriptor of the file
        os.close(fd)
        fd = -1
        os.replace(tmp, target)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        _fsync_directory(target.parent if str(target.parent) else Path("."))
