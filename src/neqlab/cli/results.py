"""Commands on configs and saved results: ``config``, ``show``, ``plot``, ``export``.

A result file is checked before its data are read (:func:`checked_result`): it must be
a regular netCDF file whose ``experiment`` attribute names a registered experiment,
whose ``config`` attribute is a valid config of that experiment, and whose variables
match the experiment's schema (names, dims, kinds, sizes); then
:func:`neqlab.io.store.load` refuses a file declaring more data than fits in memory.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from neqlab.cli import checks
from neqlab.core.config import shown
from neqlab.core.errors import ConfigError

PROBLEMS_SHOWN = 3  # schema problems named in the one-line error


def verdict_text(v) -> str:
    """A verdict as the CLI prints it (plain text, in the verdict's language)."""
    return "\n".join(v.lines())


def checked_result(path: str, *, load: bool = True):
    """``(experiment, dataset)`` of a result file, checked before its data are read.

    ``load=False`` returns the dataset's attributes only (a dict), for commands that need
    no data (``show --config``).
    """
    import xarray as xr

    from neqlab.experiments import REGISTRY
    from neqlab.experiments.api import get
    from neqlab.io.store import ENGINE
    from neqlab.io.store import load as load_result

    p = checks.existing_file(path)
    where = shown(str(p), limit=160)
    try:
        lazy = xr.open_dataset(p, engine=ENGINE)
    except (OSError, ValueError, RuntimeError, KeyError, TypeError, MemoryError) as exc:
        raise ConfigError(f"path must be a netCDF result written by neqlab, got {where} "
                          f"({type(exc).__name__}: {' '.join(str(exc).split())[:160]})") from None
    with lazy:
        name = lazy.attrs.get("experiment")
        if not isinstance(name, str) or name not in REGISTRY:
            raise ConfigError(f"path must be a result of one of {', '.join(REGISTRY)} (its 'experiment' "
                              f"attribute), got {where} with experiment {shown(name)}")
        exp = get(name)
        text = lazy.attrs.get("config")
        if not isinstance(text, str):
            raise ConfigError(f"path must be a result carrying its config (a JSON 'config' attribute), "
                              f"got {where} with config {shown(text)}")
        try:
            exp.Config.from_json(text)
        except ConfigError as exc:
            raise ConfigError(f"path must be a result with a valid {name} config, got {where}: {exc}") from None
        try:
            problems = REGISTRY[name].schema_of(lazy).problems(lazy)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            problems = [f"unreadable metadata ({type(exc).__name__}: {exc})"]
        if problems:  # name first what makes a file dangerous (sizes) or foreign (undeclared names)
            problems.sort(key=lambda x: 0 if "elements" in x else 1 if x.startswith("undeclared") else 2)
            more = f"; and {len(problems) - PROBLEMS_SHOWN} more" if len(problems) > PROBLEMS_SHOWN else ""
            raise ConfigError(f"path must be a {name} result matching its schema, got {where} "
                              f"({'; '.join(problems[:PROBLEMS_SHOWN])}{more})")
        attrs = dict(lazy.attrs)
    return exp, (load_result(p) if load else attrs)


def cmd_config(args) -> int:
    from neqlab.experiments.api import config_toml, get

    get(args.name)
    sys.stdout.write(config_toml(args.name, scale=args.scale, **checks.parse_sets(args.sets)))
    return 0


def cmd_show(args) -> int:
    from neqlab.core.i18n import resolve_lang

    lang = resolve_lang(args.lang)
    if args.config and args.json:
        raise ConfigError("show takes one of --config, --json, got both")
    exp, ds = checked_result(args.path, load=not args.config)
    if args.config:
        from types import SimpleNamespace

        from neqlab.experiments.api import config_toml

        sys.stdout.write(config_toml(SimpleNamespace(attrs=ds)))  # needs the attributes only
        return 0
    from neqlab.experiments.api import verdict

    v = verdict(ds, lang=lang)
    if args.json:
        print(v.to_json())
        return 0
    print(f"experiment: {ds.attrs.get('experiment')}  ({ds.attrs.get('section', '')})")
    print(f"neqlab {ds.attrs.get('neqlab_version')}  commit {ds.attrs.get('git_commit') or '-'}  "
          f"created {ds.attrs.get('created')}")
    print("config: " + json.dumps(json.loads(ds.attrs["config"]), sort_keys=True)
          + f"  (as TOML: neqlab show {args.path} --config)")
    print(verdict_text(v))
    return 0


def cmd_plot(args) -> int:
    from neqlab.cli.parser import FIG_FORMATS

    out, fmt = checks.figure_output(args.out, FIG_FORMATS)
    _, ds = checked_result(args.path)

    from neqlab.experiments.api import plot
    from neqlab.io.store import atomic_write

    fig = plot(ds)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(out) as tmp:
        fig.savefig(tmp, format=fmt, dpi=130)
    print(f"wrote {out}")
    return 0


def cmd_export(args) -> int:
    from neqlab.io.export import SUFFIXES, export_format, export_result
    from neqlab.io.store import available_memory, check_output_path

    src = checks.existing_file(args.path)
    if args.out is None:
        if args.format is None:
            raise ConfigError("format must be one of extxyz, gsd when no --out is given, got none")
        suffix = next(s for s, f in SUFFIXES.items() if f == export_format(args.format, "x"))
        out_text = str(src.with_suffix(suffix))
    else:
        out_text = args.out
    fmt = export_format(args.format, out_text)
    out = check_output_path(out_text, name="out")
    if out.resolve() == src.resolve():
        raise ConfigError(f"out must differ from the result file, got {shown(out_text)}")
    _check_frame_size(src, available_memory())
    n = export_result(str(src), fmt, out, frames=args.frames)
    print(f"wrote {n} frame(s) to {out} ({fmt})")
    return 0


def _check_frame_size(src: Path, avail: int | None) -> None:
    """Refuse a trajectory whose single frame would not fit in half the available memory
    (frames are read one at a time), before any data are read."""
    import xarray as xr

    from neqlab.io.store import ENGINE
    from neqlab.io.trajectory import check_trajectory, n_frames

    try:
        lazy = xr.open_dataset(src, engine=ENGINE)
    except (OSError, ValueError, RuntimeError, KeyError, TypeError, MemoryError) as exc:
        raise ConfigError(f"path must be a netCDF result written by neqlab, got {shown(str(src))} "
                          f"({type(exc).__name__}: {' '.join(str(exc).split())[:160]})") from None
    with lazy:
        check_trajectory(lazy)
        frames = max(1, n_frames(lazy))
        per_frame = sum(lazy[k].size * lazy[k].dtype.itemsize
                        for k in ("trajectory_positions", "trajectory_velocities")) / frames
    limit = avail // 2 if avail else 1 << 34
    if per_frame > limit:
        raise ConfigError(f"path must hold frames that fit in memory, got {shown(str(src))} declaring "
                          f"{per_frame / 1e9:.3g} GB per frame (limit {limit / 1e9:.3g} GB: half the available memory)")
