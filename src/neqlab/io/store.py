"""Results on disk: xarray Datasets as netCDF4, written atomically.

A result file is readable by plain ``xarray.open_dataset``. :func:`save` writes through
:func:`atomic_write` (a temporary name in the target directory, then a rename), so a
crash never leaves a half-written result, the next save removes temporaries a
``kill -9`` left behind, and the file gets the umask's mode (0644 under umask 022).
Everything neqlab writes (results, checkpoints, figures, report pages) goes through
:func:`atomic_write`. :func:`load` reads a result fully into memory (the file is closed
on return).
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from neqlab.core.atomic import atomic_write, create_temporary, remove_stale_temporaries
from neqlab.core.config import shown
from neqlab.core.errors import ConfigError

__all__ = ["ENGINE", "atomic_write", "available_memory", "check_output_path", "check_writable", "load",
           "remove_stale_temporaries", "save"]

ENGINE = "netcdf4"
PATH_SHOWN = 160  # characters of a path echoed whole in an error
TEMP_RESERVE = 14  # characters a temporary adds to a file name: "." + "." + 8 + ".tmp"
_KINDS = {stat.S_IFDIR: "a directory", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket", stat.S_IFLNK: "a symlink"}

if TYPE_CHECKING:  # NumPy and xarray are imported where data are read or written, so that
    import xarray as xr  # the command line checks an output path without loading them


def _shown(path: str) -> str:
    return shown(path, limit=PATH_SHOWN)


def _kind_of(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def check_output_path(path: str | os.PathLike, *, name: str = "out", reserve: int = TEMP_RESERVE) -> Path:
    """Check that a file can be written at ``path``, creating nothing; return it as a Path.

    Refused with a ConfigError naming ``name``: an empty path or one with a NUL byte; a
    file name longer than the file system allows once ``reserve`` characters are added
    (the temporary of :func:`atomic_write`; a caller that adds a longer suffix, such as
    a ``.ckpt`` directory, passes more); an existing target that is not a regular file
    (a directory, ``/dev/null``, a FIFO); a parent that is a file; a nearest existing
    ancestor that is not a writable directory. When the parent exists, a temporary is
    created and removed there to prove it (read-only file systems, ``/proc``).
    """
    text = os.fspath(path)
    if isinstance(text, bytes) or not text or "\x00" in text:
        raise ConfigError(f"{name} must be a file path, got {_shown(text)}")
    p = Path(text)
    if text.endswith(os.sep) or p.name in ("", ".", ".."):
        raise ConfigError(f"{name} must be a file path, got the directory {_shown(text)}")
    anchor = p.parent
    while not os.path.lexists(anchor) and anchor != anchor.parent:
        anchor = anchor.parent
    try:
        name_max = os.pathconf(anchor if anchor.is_dir() else ".", "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    for part in p.parts:
        limit = name_max - (reserve if part == p.name else 0)
        if len(os.fsencode(part)) > limit:
            why = f"; {reserve} more for the temporary" if part == p.name else ""
            raise ConfigError(f"{name} must be a path whose file names have at most {limit} bytes "
                              f"({name_max} allowed{why}), got {_shown(text)} (a name of {len(os.fsencode(part))} bytes)")
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        st = None
    except OSError as exc:  # a parent that is a file (ENOTDIR), a loop of links, ...
        raise ConfigError(f"{name} must be a path in a writable directory, got {_shown(text)} ({exc.strerror})") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        if not (stat.S_ISLNK(st.st_mode) and p.is_file()):
            raise ConfigError(f"{name} must be a regular file path, got {_shown(text)} ({_kind_of(st.st_mode)})")
    if not anchor.is_dir():
        raise ConfigError(f"{name} must be a path in a writable directory, got {_shown(text)} "
                          f"({str(anchor)!r} is not a directory)")
    if not os.access(anchor, os.W_OK | os.X_OK):
        raise ConfigError(f"{name} must be a path in a writable directory, got {_shown(text)} (permission denied)")
    if anchor == p.parent:  # prove it: the temporary save will create, created and removed
        try:
            fd, tmp = create_temporary(p)
        except OSError as exc:
            raise ConfigError(f"{name} must be a path in a writable directory, got {_shown(text)} "
                              f"({exc.strerror})") from None
        os.close(fd)
        tmp.unlink(missing_ok=True)
    return p


def check_writable(path: str | os.PathLike) -> Path:
    """:func:`check_output_path`, then create the missing parent directories; return the path."""
    p = check_output_path(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"out must be a path in a writable directory, got {str(p)!r} ({exc.strerror})") from None
    return p


# netCDF4 and HDF5 are not thread-safe: one file is read or written at a time in this
# process (the essay saves two experiments' results from two threads; the web server
# reads from several)
_NETCDF_LOCK = threading.RLock()


def _encodable(ds: xr.Dataset) -> xr.Dataset:
    """netCDF has no bool type: store booleans as int8 and mark them for load."""
    import numpy as np

    ds = ds.copy()
    for name, var in list(ds.variables.items()):
        if var.dtype == bool:
            ds[name] = var.astype(np.int8)
            ds[name].attrs["neqlab_dtype"] = "bool"
    return ds


def save(ds: xr.Dataset, path: str | os.PathLike) -> Path:
    """Write ``ds`` to ``path`` atomically (temporary file + rename); return the path."""
    p = check_writable(path)
    with atomic_write(p) as tmp, _NETCDF_LOCK:
        _encodable(ds).to_netcdf(tmp, engine=ENGINE, format="NETCDF4")
    return p


def available_memory() -> int | None:
    """Memory a new allocation can count on [bytes]: MemAvailable of /proc/meminfo, or None."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def load(path: str | os.PathLike, *, max_bytes: int | None = None) -> xr.Dataset:
    """Read a saved result into memory.

    Refused with a ConfigError (before any data is read) when ``path`` is not a regular
    file, not netCDF, or declares more data than ``max_bytes`` (default: half the
    available memory): a 6 KB file can declare a 10^6 x 10^6 variable.
    """
    import xarray as xr

    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"path must be an existing result file (.nc), got {_shown(str(p))}")
    if max_bytes is None:
        avail = available_memory()
        max_bytes = avail // 2 if avail else 1 << 34
    try:
        with _NETCDF_LOCK, xr.open_dataset(p, engine=ENGINE) as ds:
            declared = sum(int(v.size) * v.dtype.itemsize for v in ds.variables.values())
            if declared > max_bytes:
                raise ConfigError(
                    f"path must be a result that fits in memory, got {_shown(str(p))} declaring "
                    f"{declared / 1e9:.3g} GB of data (limit {max_bytes / 1e9:.3g} GB: half the available memory)")
            out = ds.load()
    except ConfigError:
        raise
    except (OSError, ValueError, RuntimeError, KeyError, TypeError, MemoryError) as exc:
        why = " ".join(str(exc).split())[:200]
        raise ConfigError(f"path must be a netCDF result written by neqlab, got {_shown(str(p))} "
                          f"({type(exc).__name__}: {why})") from None
    for name, var in list(out.variables.items()):
        if var.attrs.get("neqlab_dtype") == "bool":
            attrs = {k: v for k, v in var.attrs.items() if k != "neqlab_dtype"}
            out[name] = var.astype(bool)
            out[name].attrs = attrs
    return out
