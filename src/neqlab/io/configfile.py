"""Config files read safely: regular files only, bounded size, UTF-8, TOML with line numbers.

:func:`read_config_file` is what ``neqlab run --config FILE.toml`` reads. Every way a
file can be wrong gives one :class:`~neqlab.core.errors.ConfigError` line naming the
file (the CLI prints it and exits 2), never a hang, a MemoryError or a traceback:

- not a regular file (a FIFO, ``/dev/zero``, a directory, a socket): refused before
  reading a byte (the file is opened non-blocking, so a FIFO without writer cannot hang);
- larger than :data:`MAX_BYTES` (1 MiB; a config is a few hundred bytes): refused
  without reading more than the limit;
- not UTF-8 (UTF-16 or UTF-32 with or without a byte-order mark, Latin-1, random bytes):
  the byte offset and line of the first bad byte; a UTF-8 byte-order mark is accepted;
- not TOML: tomllib's message with line and column; an integer of more than 4300 digits
  or arrays nested too deeply also get their line.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "c.toml"
>>> _ = p.write_bytes(b"n_particles = 500\\n# caf\\xe9\\n")
>>> read_config_file(p)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
neqlab.core.errors.ConfigError: config must be UTF-8 text, got ... (byte 0xe9 at byte offset 23, line 2, is not UTF-8)
"""

from __future__ import annotations

import codecs
import os
import re
import stat
import tomllib
from typing import Any

from neqlab.core.config import shown
from neqlab.core.errors import ConfigError

MAX_BYTES = 1 << 20  # 1 MiB: the largest config file read
_KINDS = {stat.S_IFDIR: "a directory", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket"}
_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
         (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))
_LONG_INT = re.compile(rb"[0-9_]{4300,}")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def read_config_bytes(path: str | os.PathLike, *, max_bytes: int = MAX_BYTES, name: str = "config") -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; ConfigError otherwise."""
    text = os.fspath(path)
    where = shown(str(text), limit=160)
    if not text or "\x00" in str(text):
        raise ConfigError(f"{name} must be a path to a TOML file, got {where}")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(text, flags)
    except OSError as exc:
        try:
            kind = _KINDS.get(stat.S_IFMT(os.stat(text).st_mode))
        except OSError:
            kind = None
        why = kind or (exc.strerror or type(exc).__name__).lower()
        raise ConfigError(f"{name} must be a readable regular file, got {where} ({why})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = _KINDS.get(stat.S_IFMT(st.st_mode), "not a regular file")
            raise ConfigError(f"{name} must be a regular file, got {where} ({kind})")
        if st.st_size > max_bytes:
            raise ConfigError(f"{name} must be a file of at most {max_bytes} bytes, got {where} ({st.st_size} bytes)")
        chunks, total = [], 0
        while total <= max_bytes:  # the size may change while reading: never read past the limit
            try:
                block = os.read(fd, min(1 << 16, max_bytes + 1 - total))
            except BlockingIOError:  # pragma: no cover - regular files do not block
                continue
            except OSError as exc:
                raise ConfigError(f"{name} must be a readable regular file, got {where} ({exc.strerror})") from None
            if not block:
                break
            chunks.append(block)
            total += len(block)
        if total > max_bytes:
            raise ConfigError(f"{name} must be a file of at most {max_bytes} bytes, got {where} (more than that)")
        return b"".join(chunks)
    finally:
        os.close(fd)


def decode_utf8(data: bytes, where: str, *, name: str = "config") -> str:
    """``data`` as text: UTF-8 (a leading byte-order mark dropped), no NUL; ConfigError otherwise."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            raise ConfigError(f"{name} must be UTF-8 text, got {where} ({enc} byte-order mark at byte offset 0; "
                              "save the file as UTF-8)")
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    nul = data.find(b"\x00", skip)
    if nul >= 0:
        raise ConfigError(f"{name} must be UTF-8 text, got {where} (NUL byte at byte offset {nul}, "
                          f"line {_line_of(data, nul)}: binary data or UTF-16?)")
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = skip + exc.start
        raise ConfigError(f"{name} must be UTF-8 text, got {where} (byte 0x{data[at]:02x} at byte offset {at}, "
                          f"line {_line_of(data, at)}, is not UTF-8)") from None


def read_config_file(path: str | os.PathLike, *, max_bytes: int = MAX_BYTES, name: str = "config") -> dict[str, Any]:
    """The TOML table in ``path``, read with the limits of this module's docstring."""
    where = shown(str(os.fspath(path)), limit=160)
    data = read_config_bytes(path, max_bytes=max_bytes, name=name)
    text = decode_utf8(data, where, name=name)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name} must be a valid TOML file, got {where} ({exc})") from None
    except ValueError as exc:  # int() refuses more than 4300 digits
        m = _LONG_INT.search(data)
        at = f" at line {_line_of(data, m.start())}" if m else ""
        raise ConfigError(f"{name} must be a valid TOML file, got {where} "
                          f"(an integer of more than 4300 digits{at})") from None
    except RecursionError:
        raise ConfigError(f"{name} must be a valid TOML file, got {where} (arrays or tables nested too deeply)") from None

