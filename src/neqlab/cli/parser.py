"""The argument parser of ``neqlab``: built from the standard library and light modules only.

Nothing here imports NumPy, xarray, matplotlib or an experiment's run, verdict or plot
module: ``neqlab --help``, ``neqlab list`` and a rejected bad input start in a fraction
of a second. ``neqlab run NAME --help`` adds the keys of experiment NAME, read from its
``config.py`` (light too).
"""

from __future__ import annotations

import argparse
import math
import shutil
import textwrap

from neqlab.core.errors import ConfigError
from neqlab.experiments.api import SCALE_NAMES
from neqlab.runner.scheduler import BACKENDS

FIG_FORMATS = ("png", "svg", "pdf")
EXPORT_FORMATS = ("extxyz", "gsd")  # neqlab.io.export.FORMATS (a test checks they agree)

DESCRIPTION = """\
neqlab: a fast laboratory for nonequilibrium statistical mechanics. Every claim of the
essay is an experiment that runs, measures, plots and gives a verdict."""

EPILOG = """\
examples:
  neqlab list                                   experiments: name, essay section, claim
  neqlab run macrostates --scale quick          run, save macrostates.nc, print the verdict
  neqlab run loschmidt --help                   every key of loschmidt: default, unit, range
  neqlab config macrostates > m.toml            the full config as TOML; edit it, then
  neqlab run macrostates --config m.toml        run it (same config and seed: same bits)
  neqlab show macrostates.nc [--config|--json]  verdict, or config as TOML, of a saved result
  neqlab plot macrostates.nc --out m.png        the figure again, without rerunning
  neqlab export relaxation.nc --format extxyz --out gas.xyz   trajectory for ASE/OVITO
  neqlab essay --scale quick                    every claim, one report (results/essay)
  neqlab serve                                  the live gas page with a Reverse button

exit codes: 0 done; 2 bad input (one `error:` line, nothing created); 1 a failure during
a run (one line; NEQLAB_DEBUG=1 shows the traceback); 130 interrupted (rerun resumes)."""

SCALE_HELP = (f"start from the experiment's {', '.join(SCALE_NAMES[:-1])} or {SCALE_NAMES[-1]} config "
              "(default: default, the experiment's own defaults; see `neqlab config NAME --scale S`)")
BACKEND_HELP = ("local: threads on this machine (default); dask: a local Dask cluster, or the one at "
                "--scheduler. Dask's start-up (a few seconds) dominates small runs: use it for long "
                "runs or several machines (docs/cluster.md)")
SCHEDULER_HELP = ("address of a running Dask scheduler, e.g. tcp://HOST:8786 (implies --backend dask; "
                  "checked before the run: unreachable within 5 s is an error)")
LANG_HELP = "language of the verdict: en or ja (default: ja if the locale is Japanese, else en)"


class Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as one ``error:`` line (a ConfigError: exit 2)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):  # noqa: D401 - argparse API
        raise ConfigError(f"{message} (see `{self.prog} --help`)")


class RunHelp(argparse.Action):
    """``-h/--help`` of ``neqlab run``: the options, then the keys of the experiment named."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        name = getattr(namespace, "name", None)
        keys = keys_help(name) if name else "\n`neqlab run NAME --help` also lists the keys of experiment NAME."
        parser.print_help()
        print(keys)
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="neqlab", description=DESCRIPTION, epilog=EPILOG)
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")

    sub.add_parser("list", help="one line per experiment: name, essay section, claim",
                   description=_wrap("One line per experiment, in the essay's order: name, essay section, claim."))

    r = sub.add_parser("run", add_help=False, help="run one experiment, save its dataset, print the verdict",
                       description=_wrap("Run one experiment, save its dataset (netCDF) and print the verdict. "
                                   "Everything is checked before anything is created or started: the keys, "
                                   "the output path, the backend and scheduler, and the memory the run "
                                   "needs (estimated from the config)."))
    r.add_argument("-h", "--help", action=RunHelp, help="show this help and the experiment's keys, then exit")
    r.add_argument("name", help="experiment name (see `neqlab list`)")
    r.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="override one config key (repeatable; wins over --config)")
    r.add_argument("--config", metavar="FILE.toml",
                   help="config keys from a TOML file, e.g. the output of `neqlab config NAME`")
    r.add_argument("--scale", metavar="{" + ",".join(SCALE_NAMES) + "}", help=SCALE_HELP)
    r.add_argument("--seed", help="random seed (integer >= 0; default 0 or the config's)")
    r.add_argument("--workers", help="parallel workers (integer in [1, 1024]; default: all cores). "
                                     "The result is the same bits for any number")
    r.add_argument("--backend", metavar="{" + ",".join(BACKENDS) + "}", help=BACKEND_HELP)
    r.add_argument("--scheduler", metavar="ADDRESS", help=SCHEDULER_HELP)
    r.add_argument("--out", help="output netCDF file (default: NAME.nc); its checkpoints go to OUT.ckpt/")
    r.add_argument("--force", action="store_true",
                   help="run even if the estimated memory exceeds what this machine has available")
    r.add_argument("--quiet", action="store_true", help="no progress bar, no estimate")
    r.add_argument("--json", action="store_true", help="print the verdict as JSON")
    r.add_argument("--lang", help=LANG_HELP)

    c = sub.add_parser("config", help="print an experiment's full config as TOML (for --config)",
                       description=_wrap("Print every key of an experiment as TOML, each with its doc, unit, "
                                   "range and default as comments. `neqlab run NAME --config FILE.toml` "
                                   "takes the text unchanged and runs the same config (same bits)."))
    c.add_argument("name", help="experiment name (see `neqlab list`)")
    c.add_argument("--scale", metavar="{" + ",".join(SCALE_NAMES) + "}", help=SCALE_HELP)
    c.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="override one config key (repeatable)")

    s = sub.add_parser("show", help="config, provenance and verdict of a saved result",
                       description=_wrap("Config, provenance and verdict of a saved result. The file is checked "
                                   "against its experiment's schema before its data are read."))
    s.add_argument("path", help="a result file written by `neqlab run` (.nc)")
    s.add_argument("--json", action="store_true", help="print the verdict as JSON")
    s.add_argument("--config", action="store_true",
                   help="print the result's config as TOML (feed it to `neqlab run NAME --config`)")
    s.add_argument("--lang", help=LANG_HELP)

    pl = sub.add_parser("plot", help="the experiment's figure from a saved result",
                        description=_wrap("Draw the experiment's figure from a saved result, without rerunning."))
    pl.add_argument("path", help="a result file (.nc)")
    pl.add_argument("--out", required=True, help="figure file: .png, .svg or .pdf")

    x = sub.add_parser("export", help="write the trajectory kept in a result as extended XYZ or GSD",
                       description=_wrap("Write the trajectory kept in a result (relaxation, loschmidt or "
                                   "steady_state run with trajectory_every > 0) as extended XYZ (ASE, "
                                   "OVITO) or GSD (HOOMD-blue, OVITO). Reduced units; see docs/export.md."))
    x.add_argument("path", help="a result file (.nc) holding a trajectory")
    x.add_argument("--format", metavar="{" + ",".join(EXPORT_FORMATS) + "}",
                   help="extxyz or gsd (default: from the suffix of --out: .xyz, .extxyz, .gsd)")
    x.add_argument("--frames", help="which saved frames: 'start:stop:step' (Python's meaning), an index or "
                                    "'i,j,k'; negative counts from the end (write --frames=-1); default all")
    x.add_argument("--out", help="output file (default: the result's name with .xyz or .gsd)")

    e = sub.add_parser("essay", help="run every experiment and write the report",
                       description=_wrap("Run every experiment at one scale and write the report (index.html, "
                                   "summary.json, figures/, data/). Rerunning reuses finished experiments "
                                   "and resumes an interrupted one."))
    e.add_argument("--scale", default="quick", metavar="{" + ",".join(SCALE_NAMES) + "}",
                   help="quick (default, minutes), default or full (the essay's own scale: long)")
    e.add_argument("--out", default="results/essay", help="report directory (default: results/essay)")
    e.add_argument("--workers", help="parallel workers (integer in [1, 1024]; default: all cores)")
    e.add_argument("--backend", metavar="{" + ",".join(BACKENDS) + "}", help=BACKEND_HELP)
    e.add_argument("--scheduler", metavar="ADDRESS", help=SCHEDULER_HELP)
    e.add_argument("--quiet", action="store_true", help="no progress bar")
    e.add_argument("--lang", help="language of index.html and the printed verdicts: en or ja (default: ja "
                                  "if the locale is Japanese, else en; index.en.html and index.ja.html are "
                                  "both written)")

    sv = sub.add_parser("serve", help="the live page: watch the gas, press Reverse",
                        description=_wrap("Serve the live gas page (and, with --results, a report). Binds "
                                    "localhost only unless --allow-remote: the page has no authentication."))
    sv.add_argument("--port", default="8765", help="TCP port (0-65535; 0 = any free port; default 8765)")
    sv.add_argument("--host", default="127.0.0.1",
                    help="address to bind (default 127.0.0.1: this machine only; another needs --allow-remote)")
    sv.add_argument("--allow-remote", action="store_true",
                    help="allow a non-loopback --host such as 0.0.0.0: anyone who reaches the port can drive "
                         "the simulation")
    sv.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                    help="a web origin allowed to open the live connection besides the page's own, e.g. "
                         "http://myhost.lan:8765 (repeatable)")
    sv.add_argument("--max-sessions", default="8", help="live gases (browser tabs) at once (1-1024; default 8)")
    sv.add_argument("--results", help="an essay report directory to show in the second tab")
    return p


def _width() -> int:
    return max(60, min(100, shutil.get_terminal_size((100, 24)).columns)) - 2


def _wrap(text: str) -> str:
    return textwrap.fill(text, width=_width())


def keys_help(name: str) -> str:
    """The keys of experiment ``name``: value at the default scale, unit, allowed values,
    doc, and the values of the other scales where they differ."""
    from neqlab.experiments.api import get

    exp = get(name)
    cfg = exp.Config
    info = cfg.field_info()
    scales = {s: exp.SCALES[s] for s in SCALE_NAMES}
    lines = ["", _wrap(f"keys of {name} (--set KEY=VALUE, or a --config TOML file; `neqlab config {name}` prints "
                       "them all as TOML). Values shown are the default scale's; units are reduced (k_B = 1)."), ""]
    for key, fi in info.items():
        unit = f" [{fi['unit']}]" if fi["unit"] else ""
        here = getattr(scales["default"], key)
        lines.append(f"  {key} = {value_text(here)}{unit}")
        others = [f"{s} {value_text(getattr(c, key))}" for s, c in scales.items()
                  if s != "default" and getattr(c, key) != here]
        doc = " ".join(str(fi["doc"]).split())
        about = f"{doc + '; ' if doc else ''}{fi['allowed']}" + (f"; {', '.join(others)}" if others else "")
        lines.append(textwrap.fill(about, width=_width(), initial_indent=" " * 6, subsequent_indent=" " * 6))
    return "\n".join(lines)


def value_text(v) -> str:
    """A config value as it is typed after ``--set KEY=`` (TOML-like)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
    if isinstance(v, (tuple, list)):
        return "[" + ", ".join(value_text(x) for x in v) + "]"
    return str(v)
