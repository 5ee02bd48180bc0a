"""The ``neqlab`` command line: list, run, show, plot, essay.

Exit codes: 0 ok; 2 bad input (one ``error:`` line on stderr, no traceback, no output
file); 1 failure during a run; 130 interrupted (checkpoint kept, rerun to resume).
Set ``NEQLAB_DEBUG=1`` to see tracebacks of unexpected failures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tomllib
import traceback
from pathlib import Path

from neqlab.core.errors import ConfigError, NeqlabError

FIG_FORMATS = ("png", "svg", "pdf")


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as one ``error:`` line and exit code 2."""

    def error(self, message: str):  # noqa: D401 - argparse API
        raise ConfigError(f"{message} (see `{self.prog} --help`)")


def _build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="neqlab", description="A fast laboratory for nonequilibrium statistical mechanics.")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    sub.add_parser("list", help="one line per experiment: name, essay section, claim")

    r = sub.add_parser("run", help="run one experiment, save its dataset, print the verdict")
    r.add_argument("name", help="experiment name (see `neqlab list`)")
    r.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="override one config key (repeatable)")
    r.add_argument("--config", metavar="FILE.toml", help="config keys from a TOML file (--set wins)")
    r.add_argument("--scale", choices=None, help="start from the experiment's quick/default/full config")
    r.add_argument("--seed", type=str, help="random seed (integer >= 0)")
    r.add_argument("--workers", type=str, help="parallel workers (integer >= 1; default: all cores)")
    r.add_argument("--backend", default="local", help="local (threads) or dask")
    r.add_argument("--scheduler", help="address of an existing Dask scheduler (with --backend dask)")
    r.add_argument("--out", help="output netCDF file (default: NAME.nc)")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.add_argument("--json", action="store_true", help="print the verdict as JSON")
    r.add_argument("--lang", help="language of the verdict: en or ja (default: ja if the locale is Japanese, else en)")

    s = sub.add_parser("show", help="config, provenance and verdict of a saved result")
    s.add_argument("path")
    s.add_argument("--json", action="store_true", help="print the verdict as JSON")
    s.add_argument("--lang", help="language of the verdict: en or ja (default: from the locale)")

    pl = sub.add_parser("plot", help="the experiment's figure from a saved result")
    pl.add_argument("path")
    pl.add_argument("--out", required=True, help="figure file: .png, .svg or .pdf")

    e = sub.add_parser("essay", help="run every experiment and write the report")
    e.add_argument("--scale", default="quick", help="quick, default or full")
    e.add_argument("--out", default="results/essay", help="report directory")
    e.add_argument("--workers", type=str, help="parallel workers (integer >= 1)")
    e.add_argument("--backend", default="local", help="local or dask")
    e.add_argument("--scheduler", help="address of an existing Dask scheduler")
    e.add_argument("--quiet", action="store_true", help="no progress bar")
    e.add_argument("--lang", help="language of index.html and the printed verdicts: en or ja "
                                  "(default: ja if the locale is Japanese, else en; both index.en.html and index.ja.html are written)")
    sv = sub.add_parser("serve", help="the live page: watch the gas, press Reverse")
    sv.add_argument("--port", default="8765", help="TCP port (1-65535; 0 = any free port)")
    sv.add_argument("--host", default="127.0.0.1", help="address to bind (default: localhost only)")
    sv.add_argument("--results", help="an essay report directory to show in the second tab")
    return p


def _int_option(name: str, text: str | None, lo: int, hi: int) -> int | None:
    if text is None:
        return None
    try:
        v = int(text)
    except ValueError:
        raise ConfigError(f"{name} must be an integer in [{lo}, {hi}], got {text!r}") from None
    if not lo <= v <= hi:
        raise ConfigError(f"{name} must be an integer in [{lo}, {hi}], got {text!r}")
    return v


def _read_toml(path: str) -> dict:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"config must be a readable TOML file, got {path!r} ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config must be a valid TOML file, got {path!r} ({exc})") from None
    return data


def _parse_sets(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        if "=" not in item:
            raise ConfigError(f"--set must look like KEY=VALUE, got {item!r}")
        k, v = item.split("=", 1)
        out[k.strip()] = v
    return out


def _out_path(name: str, out: str | None) -> Path:
    from neqlab.io.store import check_writable

    p = Path(out) if out else Path(f"{name}.nc")
    if p.suffix != ".nc":
        raise ConfigError(f"out must be a file name ending in .nc, got {str(p)!r}")
    return check_writable(p)


def _print_verdict(v, *, as_json: bool) -> None:
    if as_json:
        print(v.to_json())
        return
    if hasattr(v, "lines"):
        print("\n".join(v.lines()))
        return
    print(f"{v.experiment}: {v.badge.upper()}")
    print(f"  claim: {v.claim}")
    for k, val in v.measured.items():
        exp = v.expected.get(k)
        print(f"  {k} = {val:.6g}" + (f"  (expected {exp:.6g})" if isinstance(exp, (int, float)) else ""))
    print(f"  conditions: {v.conditions}")


def cmd_list(args) -> int:
    from neqlab.experiments import REGISTRY

    for name, mod in REGISTRY.items():
        print(f"{name:16s} {mod.SECTION:40s} {mod.CLAIM}")
    return 0


def cmd_run(args) -> int:
    from neqlab.experiments.api import get, make_config, run_config, verdict
    from neqlab.io.store import save
    from neqlab.runner import Runner
    from neqlab.runner.checkpoint import Checkpoint

    from neqlab.core.i18n import resolve_lang

    lang = resolve_lang(args.lang)
    mod = get(args.name)
    values: dict = {}
    if args.config:
        data = _read_toml(args.config)
        data = data.get(args.name, data) if isinstance(data.get(args.name), dict) else data
        values.update(data)
    values.update(_parse_sets(args.sets))
    if args.seed is not None:
        values["seed"] = args.seed
    cfg = make_config(args.name, values, scale=args.scale)
    workers = _int_option("workers", args.workers, 1, 1024)
    out = _out_path(args.name, args.out)
    ckpt = out.with_name(out.name + ".ckpt")
    runner = Runner(backend=args.backend, workers=workers, scheduler=args.scheduler,
                    checkpoint_dir=ckpt, progress=not args.quiet)
    try:
        with runner:
            ds = run_config(args.name, cfg, runner=runner)
    except KeyboardInterrupt:
        print(f"interrupted: {Checkpoint(ckpt).count()} finished chunk(s) kept in {ckpt}; "
              "rerun the same command to resume", file=sys.stderr)
        return 130
    if runner.resumed_chunks and not args.quiet:
        print(f"resumed {runner.resumed_chunks} chunk(s) from {ckpt}", file=sys.stderr)
    save(ds, out)
    Checkpoint(ckpt).clear()
    _print_verdict(verdict(ds, lang=lang), as_json=args.json)
    if not args.json:
        print(f"saved {out}  (plot: neqlab plot {out} --out {mod.NAME}.png)")
    return 0


def cmd_show(args) -> int:
    from neqlab.core.i18n import resolve_lang
    from neqlab.experiments.api import verdict
    from neqlab.io.store import load

    lang = resolve_lang(args.lang)
    ds = load(args.path)
    v = verdict(ds, lang=lang)
    if args.json:
        print(v.to_json())
        return 0
    print(f"experiment: {ds.attrs.get('experiment')}  ({ds.attrs.get('section', '')})")
    print(f"neqlab {ds.attrs.get('neqlab_version')}  commit {ds.attrs.get('git_commit') or '-'}  created {ds.attrs.get('created')}")
    print("config: " + json.dumps(json.loads(ds.attrs.get("config", "{}")), sort_keys=True))
    _print_verdict(v, as_json=False)
    return 0


def cmd_plot(args) -> int:
    from neqlab.experiments.api import plot
    from neqlab.io.store import check_writable, load

    out = Path(args.out)
    fmt = out.suffix.lstrip(".").lower()
    if fmt not in FIG_FORMATS:
        raise ConfigError(f"out must end in one of .png, .svg, .pdf, got {args.out!r}")
    check_writable(out)
    ds = load(args.path)
    fig = plot(ds)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        fig.savefig(tmp, format=fmt, dpi=130)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    print(f"wrote {out}")
    return 0


def cmd_essay(args) -> int:
    from neqlab.core.i18n import resolve_lang
    from neqlab.experiments._base import badge
    from neqlab.report import run_essay
    from neqlab.report.essay import SCALES

    lang = resolve_lang(args.lang)
    if args.scale not in SCALES:
        raise ConfigError(f"scale must be one of {', '.join(SCALES)}, got {args.scale!r}")
    workers = _int_option("workers", args.workers, 1, 1024)
    try:
        summary = run_essay(args.out, scale=args.scale, workers=workers, backend=args.backend,
                            scheduler=args.scheduler, progress=not args.quiet, lang=lang)
    except KeyboardInterrupt:
        print(f"interrupted: finished experiments and chunk checkpoints are kept in {args.out}; "
              "rerun the same command to resume", file=sys.stderr)
        return 130
    for c in summary["claims"]:
        print(f"{c['experiment']:16s} {badge(c['holds'], lang)}")
    print(f"report: {Path(args.out) / 'index.html'}")
    return 0


def cmd_serve(args) -> int:
    import socket

    port = _int_option("port", args.port, 0, 65535)
    if args.results is not None and not Path(args.results).is_dir():
        raise ConfigError(f"results must be an existing directory (an essay report), got {args.results!r}")
    try:
        probe = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((args.host, port))
        port = probe.getsockname()[1]
        probe.close()
    except OSError as exc:
        raise ConfigError(f"port must be free on host {args.host!r}, got {port} ({exc.strerror})") from None
    import uvicorn

    from neqlab.web.server import create_app

    app = create_app(args.results)
    print(f"neqlab serve: open http://{args.host}:{port}/  (Ctrl-C stops)", flush=True)
    uvicorn.run(app, host=args.host, port=port, log_level="warning", ws_max_size=1 << 20)
    print("stopped", file=sys.stderr)
    return 0


COMMANDS = {"serve": cmd_serve, "list": cmd_list, "run": cmd_run, "show": cmd_show, "plot": cmd_plot, "essay": cmd_essay}


def main(argv: list[str] | None = None) -> int:
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        if args.version:
            from neqlab.io.provenance import version

            print(f"neqlab {version()}")
            return 0
        if not args.command:
            parser.print_help()
            return 2
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except NeqlabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a failure during a run: one line unless debugging
        if os.environ.get("NEQLAB_DEBUG"):
            traceback.print_exc()
        print(f"error: run failed: {type(exc).__name__}: {exc} (set NEQLAB_DEBUG=1 for the traceback)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
