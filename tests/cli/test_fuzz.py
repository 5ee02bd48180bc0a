"""The command line fuzzed (issue 18): hypothesis draws command lines over every
subcommand and every key of every experiment, mixing good values, values at and past the
ends of their ranges, and junk; the invariants are checked on each.

Invariants: exit 0 or 2 (exit 1 is kept for genuine failures during a run, and nothing
runs here); exit 2 prints exactly one ``error:`` line and creates nothing; no traceback
ever; a command that passed every check creates nothing before the work starts.

Bounded: the command runs in this process (``neqlab.cli.main.main``), and the work itself
is replaced by a stop signal raised where it would begin (an experiment's ``run``, a
figure's ``plot``, the web server's start), so the checks and the creation-before-work
rule are what is tested, at any size a key allows. ``export``, ``config``, ``show`` and
``list`` run for real. 400 examples take about 16 s on the shared 2-core machine (load 7).
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import shutil

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from clitools import fake_results, small_result, trajectory_result, tree  # noqa: F401 - fixtures
from neqlab.cli.main import main
from neqlab.experiments import REGISTRY
from neqlab.experiments.api import SCALE_NAMES


class Started(BaseException):
    """Raised where the work would start: every check has passed by then."""


def _stop(*args, **kwargs):
    raise Started


JUNK = ["", " ", "-0", "0", "1", "-1", "2.0", "1e6", "1e400", "-1e400", "nan", "inf", "-inf", "true", "x", "[1, 2]",
        "[]", "9" * 25, "9" * 400, "1_000", "0x10", "１２", "\x00", "é", "'3'"]


def _value_texts(info: dict) -> st.SearchStrategy[str]:
    meta, kind = info["meta"], info["kind"]
    picks = list(JUNK)
    for bound in (meta.get("lo"), meta.get("hi")):
        if bound is not None and math.isfinite(bound):
            picks += [repr(bound) if kind.endswith("float") else str(int(bound)),
                      repr(bound * 2 + 1) if kind.endswith("float") else str(int(bound) * 2 + 1)]
    if meta.get("choices"):
        picks += [str(c) for c in meta["choices"]]
    default = info["default"]
    picks.append(",".join(map(str, default)) if isinstance(default, tuple) else str(default))
    if isinstance(default, tuple):
        picks += ["[" + ", ".join(map(str, default)) + "]", "[" + ", ".join(map(str, default[:1])) + "]"]
    return _valid_text(info) | st.sampled_from(picks) | st.text(max_size=8)


def _valid_text(info: dict) -> st.SearchStrategy[str]:
    """Text of a value inside the key's declared range (any size it allows)."""
    meta, kind = info["meta"], info["kind"].split(":")[-1]
    if meta.get("choices"):
        return st.sampled_from([str(c) for c in meta["choices"]])
    if kind == "bool":
        return st.sampled_from(["true", "false"])
    lo, hi = meta.get("lo"), meta.get("hi")
    if kind == "int":
        one = st.integers(min_value=None if lo is None else math.ceil(lo), max_value=None if hi is None else math.floor(hi))
    elif kind == "float":
        one = st.floats(min_value=lo, max_value=hi, exclude_min=bool(meta.get("lo_open")),
                        exclude_max=bool(meta.get("hi_open")), allow_nan=False, allow_infinity=False)
    else:
        return st.text(max_size=8)
    if info["kind"].startswith("tuple"):
        return st.lists(one, min_size=1, max_size=4).map(lambda xs: "[" + ", ".join(map(repr, xs)) + "]")
    return one.map(repr)


@st.composite
def sets(draw, name: str, clean: bool) -> list[str]:
    """``--set`` items for experiment ``name``: values in range only if ``clean``, else
    mixed with junk, unknown keys and malformed items."""
    info = REGISTRY[name].Config.field_info()
    keys = draw(st.lists(st.sampled_from(list(info) if clean else [*info, "bogus"]), max_size=4))
    out = []
    for k in keys:
        if k not in info:
            value = draw(st.sampled_from(JUNK))
        else:
            value = draw(_valid_text(info[k]) if clean else _value_texts(info[k]))
        out += ["--set", f"{k}={value}"]
    if not clean and draw(st.booleans()):
        out += ["--set", draw(st.sampled_from(["n_particles", "=3", "", "seed=="]))]
    return out


def options(table: dict[str, list], good: dict[str, list] | None = None) -> st.SearchStrategy[list[str]]:
    """Some of the options of ``table`` (flag -> possible values; None: a switch); with
    ``good``, only those flags and values (command lines that pass every check)."""
    table = table if good is None else good

    def one(flag):
        values = table[flag]
        return st.just([flag]) if values is None else st.sampled_from(values).map(lambda v: [flag, v])
    return st.lists(st.sampled_from(sorted(table)).flatmap(one), max_size=4, unique_by=lambda x: x[0]).map(
        lambda xs: sum(xs, []))


SCALES = [*SCALE_NAMES, "huge", ""]
OUT_NC = ["o.nc", "deep/er/o.nc", "", "o.txt", "/proc/x.nc", "a" * 300 + ".nc", "afile/x.nc", "blocked.nc",
          "adir.nc", ".nc", "/dev/null"]
WORKERS = ["1", "2", "0", "1025", "x", "9" * 30]
BACKENDS = ["local", "dask", "mpi", ""]
SCHEDULERS = ["tcp://127.0.0.1:1", "bogus://x", "tcp://127.0.0.1", "127.0.0.1:1", "tcp://[::1]:1", ":", ""]
LANGS = ["en", "ja", "fr", ""]
CONFIGS = ["small.toml", "bad.toml", "missing.toml", "afile", "adir.nc", "utf16.toml", "/dev/zero", ""]
RESULTS = ["good.nc", "traj.nc", "fake.nc", "missing.nc", "adir.nc", "afile", "", "/dev/null"]

RUN = {"--scale": SCALES, "--seed": ["0", "3", "-1", "x", "9" * 30], "--workers": WORKERS, "--backend": BACKENDS,
       "--scheduler": SCHEDULERS, "--out": OUT_NC, "--config": CONFIGS, "--lang": LANGS, "--quiet": None,
       "--json": None, "--force": None}
ESSAY = {"--scale": SCALES, "--out": ["rep", "deep/rep", "", "afile", "afile/rep", "/proc/rep", "b" * 300],
         "--workers": WORKERS, "--backend": BACKENDS, "--scheduler": SCHEDULERS, "--lang": LANGS, "--quiet": None}
SHOW = {"--json": None, "--config": None, "--lang": LANGS}
PLOT = {"--out": ["f.png", "f.svg", "f.gif", "", "new/f.pdf", "/proc/f.png", "afile/f.png", "adir.nc"]}
EXPORT = {"--format": ["extxyz", "gsd", "pdb", ""], "--frames": ["0", "-1", "::2", "5:1", "x", "0,99", "1:3"],
          "--out": ["t.xyz", "t.gsd", "t.pdb", "", "new/t.xyz", "afile/t.xyz", "/proc/t.xyz", "traj.nc"]}
RUN_GOOD = {"--scale": SCALE_NAMES, "--seed": ["0", "3"], "--workers": ["1", "2"], "--backend": ["local", "dask"],
            "--out": ["o.nc", "deep/er/o.nc"], "--lang": ["en", "ja"], "--quiet": None, "--json": None, "--force": None}
ESSAY_GOOD = {"--scale": SCALE_NAMES, "--out": ["rep", "deep/rep"], "--workers": ["1", "2"],
              "--backend": ["local", "dask"], "--lang": ["en", "ja"], "--quiet": None}
PLOT_GOOD = {"--out": ["f.png", "new/f.pdf", "f.svg"]}
EXPORT_GOOD = {"--format": ["extxyz", "gsd"], "--frames": ["0", "-1", "::2", "1:3"], "--out": ["t.xyz", "new/t.gsd"]}
SERVE = {"--port": ["0", "-1", "70000", "x", ""], "--host": ["127.0.0.1", "0.0.0.0", "::1", "", "[::1]"],
         "--allow-remote": None, "--allow-origin": ["http://a.lan:1", "bogus", "null", "http://a.lan/x"],
         "--max-sessions": ["1", "0", "x", "2000"], "--results": [".", "missing"]}


@st.composite
def command_lines(draw) -> list[str]:
    """Half of the command lines are clean (good names, values in range, good paths), so
    that many pass every check and reach the point where work would start."""
    command = draw(st.sampled_from(["run", "run", "run", "run", "config", "show", "show", "plot", "export", "export",
                                    "essay", "essay", "serve", "list", "top"]))
    clean = draw(st.booleans())
    name = draw(st.sampled_from(list(REGISTRY) if clean else [*REGISTRY, "nosuch"]))
    keyed = name if name in REGISTRY else "macrostates"
    if command == "run":
        good = dict(RUN_GOOD, **({"--config": ["small.toml"]} if name == "macrostates" else {}))
        return ["run", name, *draw(sets(keyed, clean)), *draw(options(RUN, good if clean else None))]
    if command == "config":
        return ["config", name, *draw(sets(keyed, clean)),
                *draw(options({"--scale": SCALES}, {"--scale": SCALE_NAMES} if clean else None))]
    if command in ("show", "plot", "export"):
        table, good, path = {"show": (SHOW, {"--lang": ["en", "ja"], "--json": None}, "good.nc"),
                             "plot": (PLOT, PLOT_GOOD, "good.nc"),
                             "export": (EXPORT, EXPORT_GOOD, "traj.nc")}[command]
        return [command, path if clean else draw(st.sampled_from(RESULTS)), *draw(options(table, good if clean else None))]
    if command == "essay":
        return ["essay", *draw(options(ESSAY, ESSAY_GOOD if clean else None))]
    if command == "serve":  # any free port unless drawn: the default 8765 may be another user's server
        return ["serve", "--port", "0", *draw(options(SERVE))]
    if command == "list":
        return ["list"]
    return draw(st.sampled_from([["--version"], ["frobnicate"], ["--bogus"], ["run"], ["show"], ["export"]]))


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory, small_result, trajectory_result, fake_results):
    d = tmp_path_factory.mktemp("fuzz")
    from neqlab.experiments.api import config_toml
    from neqlab.experiments import REGISTRY as R

    shutil.copy(small_result, d / "good.nc")
    shutil.copy(trajectory_result, d / "traj.nc")
    shutil.copy(fake_results["config with an unknown key"], d / "fake.nc")
    (d / "small.toml").write_text(config_toml(R["macrostates"].SMALL))
    (d / "bad.toml").write_text("n_particles = = 3\n")
    (d / "utf16.toml").write_bytes("n_particles = 3\n".encode("utf-16"))
    (d / "afile").write_text("a file, not a directory")
    (d / "adir.nc").mkdir()
    (d / "blocked.nc.ckpt").write_text("a file where a checkpoint directory goes")
    return d


@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(argv=command_lines())
def test_fuzz_the_command_line(sandbox, monkeypatch, argv):
    from neqlab.experiments import Experiment

    monkeypatch.setattr(Experiment, "run", _stop)
    monkeypatch.setattr(Experiment, "plot", _stop)
    monkeypatch.setattr("neqlab.web.server.make_server", _stop)
    before = tree(sandbox)
    out, err = io.StringIO(), io.StringIO()
    started = False
    with contextlib.chdir(sandbox), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except Started:
            started, code = True, None
    stderr = err.getvalue()
    event(f"{argv[0]}: {'started' if started else f'exit {code}'}")
    event(' '.join(err.getvalue().split()[:5]))
    assert "Traceback" not in stderr + out.getvalue(), argv
    created = tree(sandbox) - before
    gone = before - tree(sandbox)
    try:
        assert not gone, (argv, gone)
        if started:  # every check passed: nothing created before the work starts, except the report's folders
            if argv[0] == "essay":
                assert all(p.endswith("/") for p in created), (argv, created)
            else:
                assert not created, (argv, created)
            return
        assert code in (0, 2), (argv, code, stderr)
        if code == 2:
            lines = stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("error: "), (argv, stderr)
            assert not created, (argv, created)
        elif argv[0] == "export":
            assert all(p.endswith((".xyz", ".gsd", "/")) for p in created), (argv, created)
        else:
            assert not created, (argv, created)
    finally:  # leave the sandbox as it was for the next example
        for p in sorted(created, key=len, reverse=True):
            path = sandbox / p
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        assert tree(sandbox) == before
        assert os.getcwd() != str(sandbox)
