"""What the command line checks before it creates or starts anything (light modules only).

Every refusal is a :class:`~neqlab.core.errors.ConfigError` naming the option, the
allowed values and the value given; the CLI prints it as one ``error:`` line, exit 2.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from neqlab.core.config import shown
from neqlab.core.errors import ConfigError

CKPT_SUFFIX = ".ckpt"  # a run's checkpoint directory is OUT + this, next to OUT


def int_option(name: str, text: str | None, lo: int, hi: int) -> int | None:
    """An integer option typed as digits, in [lo, hi]; None if not given."""
    if text is None:
        return None
    t = text.strip()
    digits = t.lstrip("+-").replace("_", "")
    if not digits.isdigit() or not digits.isascii() or len(digits.lstrip("0")) > 19:
        raise ConfigError(f"{name} must be an integer in [{lo}, {hi}], got {shown(text)}")
    v = int(t)
    if not lo <= v <= hi:
        raise ConfigError(f"{name} must be an integer in [{lo}, {hi}], got {shown(text)}")
    return v


def parse_sets(items: list[str]) -> dict[str, str]:
    """``--set KEY=VALUE`` items as a mapping (the last one of a key wins)."""
    out = {}
    for item in items:
        if "=" not in item:
            raise ConfigError(f"--set must look like KEY=VALUE, got {shown(item)}")
        k, v = item.split("=", 1)
        out[k.strip()] = v
    return out


def config_values(name: str, config_file: str | None, sets: list[str], seed: str | None) -> dict[str, Any]:
    """The config keys given: a TOML file (its ``[NAME]`` table if it has one), then
    ``--set``, then ``--seed``."""
    from neqlab.io.configfile import read_config_file

    values: dict[str, Any] = {}
    if config_file is not None:
        data = read_config_file(config_file)
        values.update(data[name] if isinstance(data.get(name), dict) else data)
    values.update(parse_sets(sets))
    if seed is not None:
        values["seed"] = seed
    return values


def result_output(name: str, out: str | None) -> tuple[Path, Path]:
    """The result file of ``neqlab run`` (``.nc``) and its checkpoint directory, checked
    without creating anything: the file can be written atomically, and the checkpoint
    directory ``OUT.ckpt`` is a writable directory or absent."""
    from neqlab.io.store import TEMP_RESERVE, check_output_path

    text = f"{name}.nc" if out is None else out
    if not isinstance(text, str) or not text.endswith(".nc") or text.endswith(os.sep + ".nc") or text == ".nc":
        raise ConfigError(f"out must be a file name ending in .nc, got {shown(text)}")
    path = check_output_path(text, name="out", reserve=max(TEMP_RESERVE, len(CKPT_SUFFIX)))
    ckpt = path.with_name(path.name + CKPT_SUFFIX)
    try:
        st = os.stat(ckpt)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise ConfigError(f"out must leave room for its checkpoint directory {shown(str(ckpt))}, "
                          f"got {shown(text)} ({exc.strerror})") from None
    if st is not None:
        if not stat.S_ISDIR(st.st_mode):
            raise ConfigError(f"out must leave room for its checkpoint directory: {shown(str(ckpt))} must be a "
                              f"directory or absent, got {_kind(st.st_mode)} there (remove it or choose "
                              "another --out)")
        if not os.access(ckpt, os.W_OK | os.X_OK):
            raise ConfigError(f"out must have a writable checkpoint directory, got {shown(str(ckpt))} "
                              "(permission denied)")
    return path, ckpt


def figure_output(out: str, formats: tuple[str, ...]) -> tuple[Path, str]:
    """A figure file and its format (from the suffix), checked without creating anything."""
    from neqlab.io.store import check_output_path

    fmt = Path(out).suffix.lstrip(".").lower() if isinstance(out, str) else ""
    if fmt not in formats:
        raise ConfigError(f"out must end in one of {', '.join('.' + f for f in formats)}, got {shown(out)}")
    return check_output_path(out, name="out"), fmt


def existing_file(path: str, what: str = "path") -> Path:
    """A regular file to read (a result): refused if missing, a directory, a FIFO, a device."""
    if not isinstance(path, str) or not path or "\x00" in path:
        raise ConfigError(f"{what} must be an existing result file (.nc), got {shown(path)}")
    try:
        st = os.stat(path)
    except OSError as exc:
        raise ConfigError(f"{what} must be an existing result file (.nc), got {shown(path)} "
                          f"({exc.strerror})") from None
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError(f"{what} must be an existing result file (.nc), got {shown(path)} ({_kind(st.st_mode)})")
    return Path(path)


def runner_options(backend: str | None, scheduler: str | None, workers: str | None) -> tuple[str, str | None, int | None]:
    """``(backend, scheduler, workers)`` checked; a scheduler implies Dask and must answer."""
    from neqlab.runner.scheduler import check_scheduler, resolve_backend

    n = int_option("workers", workers, 1, 1024)
    backend, scheduler = resolve_backend(backend, scheduler)
    if scheduler is not None:
        check_scheduler(scheduler)
    return backend, scheduler, n


def estimated_cost(exp, cfg, *, force: bool):
    """The run's estimate (``run.estimate(config)``) if the experiment has one; refused
    when its memory exceeds what this machine has available, unless ``force``."""
    from neqlab.io.store import available_memory

    estimate = getattr(exp.module("run"), "estimate", None)
    if estimate is None:  # an experiment without an estimate yet
        return None
    cost = estimate(cfg)
    avail = available_memory()
    if avail is not None and cost.memory_bytes > avail and not force:
        keys = ", ".join(cost.keys) or "the sizes"
        raise ConfigError(f"config must fit in the available memory: this run needs about "
                          f"{size_text(cost.memory_bytes)}, {size_text(avail)} is available; lower {keys} "
                          "(or pass --force to run anyway)")
    return cost


def size_text(n_bytes: float) -> str:
    """Bytes as ``340 MB`` or ``6.4 GB``."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.2g} {unit}" if n_bytes < 10 * scale else f"{n_bytes / scale:.0f} {unit}"
    return f"{n_bytes:.0f} B"


def time_text(seconds: float) -> str:
    """Seconds as ``40 s``, ``12 min`` or ``3.5 h``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _kind(mode: int) -> str:
    return {stat.S_IFDIR: "a directory", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
            stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket", stat.S_IFREG: "a file"}.get(stat.S_IFMT(mode),
                                                                                         "not a regular file")
