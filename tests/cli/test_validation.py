"""Issue 18, command-line side: every bad input is exit 2 with one line, and nothing is
created before everything is checked. Each item through the real CLI in a subprocess
(``neq``); the many variants of an item in this process (``neq_here``, the same ``main``).

Items: 1 (values at the ends of a declared range run), 5 (files that look like results
but are not), 6 (no directory left behind), 7 (paths and schedulers checked up front),
8 (no arguments), 16 (memory estimate, ``--force``), and the message printed when
checkpoint chunks were rejected (item 9, CLI side).
"""

from __future__ import annotations

import shutil
import socket
import time

import numpy as np
import pytest

import neqlab
from clitools import SMALL_SETS, neq, neq_here, one_error_line, tree
from clitools import fake_results, small_result  # noqa: F401 - fixtures
from neqlab.cli.main import main

ISSUE_SETS = ["--set", "n_particles=50", "--set", "n_steps=1000", "--set", "n_replicas=400",
              "--set", "recurrence_n_particles=6", "--set", "n_sites=200", "--set", "n_rings=40",
              "--set", "counting_n_max=10000"]  # `$S` of issue 18


@pytest.mark.parametrize("value, cli", [("0", neq), ("1", neq_here), ("-0", neq_here)])
def test_item1_marker_fraction_at_the_ends_of_its_range_runs_and_shows(tmp_path, value, cli):
    r = cli("run", "macrostates", *ISSUE_SETS, "--set", f"marker_fraction={value}", "--out", "mf.nc", "--quiet",
            cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    s = cli("show", "mf.nc", cwd=tmp_path)
    assert s.returncode == 0, s.stderr
    assert "macrostates:" in s.stdout and "Traceback" not in s.stderr


FAKES = ["no experiment attr", "unknown experiment", "no config attr", "config not JSON", "config JSON null",
         "config with an unknown key", "config out of range", "a data variable missing",
         "a variable with other dims", "a 6 KB file declaring a 10^6 x 10^6 variable",
         "a declared variable of 10^12 elements", "a text file", "an empty file", "a directory"]


@pytest.mark.parametrize("what", FAKES)
def test_item5_show_and_plot_refuse_files_that_are_not_results(tmp_path, fake_results, what):
    path = fake_results[what]
    for args in (["show", path], ["show", path, "--json"], ["show", path, "--config"],
                 ["plot", path, "--out", "new/f.png"]):
        before = tree(tmp_path)
        line = one_error_line(neq_here(*args, cwd=tmp_path))
        assert line.startswith("error: path must be "), line
        assert tree(tmp_path) == before, args


def test_item5_through_the_real_cli(tmp_path, fake_results):
    for what in ("a 6 KB file declaring a 10^6 x 10^6 variable", "config not JSON"):
        for args in (["show", fake_results[what]], ["plot", fake_results[what], "--out", "new/f.png"]):
            line = one_error_line(neq(*args, cwd=tmp_path))
            assert line.startswith("error: path must be "), line
    assert tree(tmp_path) == set()


def test_item5_messages_say_what_is_wrong(tmp_path, fake_results):
    expect = {
        "no experiment attr": "its 'experiment' attribute), got",
        "unknown experiment": "with experiment 'nosuch'",
        "no config attr": "carrying its config (a JSON 'config' attribute)",
        "config not JSON": "must be a JSON object",
        "config with an unknown key": "unknown key 'bogus' for macrostates",
        "config out of range": "n_particles must be an integer in [2, 1000000], got 0",
        "a data variable missing": "missing data var 'kac_delta'",
        "a variable with other dims": "mass_3sigma must have dims ('n_counting',), got ('x',)",
        "a 6 KB file declaring a 10^6 x 10^6 variable": "undeclared data var 'x'",
        "a declared variable of 10^12 elements": "kac_delta must have at most 1000000000 elements",
    }
    for what, needle in expect.items():
        line = one_error_line(neq_here("show", fake_results[what], cwd=tmp_path))
        assert needle in line, (what, line)


BAD_RUNS = {
    "backend bogus": ["--out", "newdir/sub/out.nc", "--backend", "bogus"],
    "scheduler with local backend": ["--out", "newdir/out.nc", "--backend", "local", "--scheduler", "tcp://127.0.0.1:1"],
    "scheduler malformed": ["--out", "newdir/out.nc", "--scheduler", "bogus://x"],
    "scheduler malformed, dask": ["--out", "newdir/out.nc", "--backend", "dask", "--scheduler", "bogus://x"],
    "scheduler without port": ["--out", "newdir/out.nc", "--scheduler", "tcp://127.0.0.1"],
    "scheduler refused": ["--out", "newdir/out.nc", "--scheduler", "tcp://127.0.0.1:1"],
    "workers 0": ["--out", "newdir/out.nc", "--workers", "0"],
    "out empty": ["--out", ""],
    "out 303 characters": ["--out", "a" * 300 + ".nc"],
    "out in /proc": ["--out", "/proc/x.nc"],
    "out a directory": ["--out", "adir.nc"],
    "checkpoint path a file": ["--out", "blocked.nc"],
    "out under a file": ["--out", "afile/x.nc"],
    "lang": ["--out", "newdir/out.nc", "--lang", "fr"],
    "config file missing": ["--out", "newdir/out.nc", "--config", "missing.toml"],
    "config file a FIFO": ["--out", "newdir/out.nc", "--config", "fifo.toml"],
}


@pytest.mark.parametrize("what", list(BAD_RUNS))
def test_items6_7_bad_run_input_creates_nothing(tmp_path, what):
    (tmp_path / "adir.nc").mkdir()
    (tmp_path / "blocked.nc.ckpt").write_text("a file where the checkpoint directory goes")
    (tmp_path / "afile").write_text("a file, not a directory")
    import os

    os.mkfifo(tmp_path / "fifo.toml")
    before = tree(tmp_path)
    t0 = time.monotonic()
    cli = neq if what in ("backend bogus", "scheduler refused", "out 303 characters") else neq_here
    line = one_error_line(cli("run", "macrostates", *ISSUE_SETS, *BAD_RUNS[what], cwd=tmp_path))
    assert time.monotonic() - t0 < 60  # quick: no 36 s wait for a scheduler (the connect timeout is 5 s)
    assert tree(tmp_path) == before, what
    assert line.startswith("error: ")


def test_item7_messages(tmp_path):
    (tmp_path / "out.nc.ckpt").write_text("x")
    cases = [
        (["--out", "out.nc"], "'out.nc.ckpt' must be a directory or absent, got a file there"),
        (["--scheduler", "tcp://127.0.0.1:1"], "cannot reach scheduler 'tcp://127.0.0.1:1' within 5 s"),
        (["--backend", "dask", "--scheduler", "bogus://x"], "scheduler must be an address such as tcp://HOST:8786"),
        (["--out", "a" * 300 + ".nc"], "out must be a path whose file names have at most"),
        (["--out", "/proc/x.nc"], "out must be a path in a writable directory, got '/proc/x.nc'"),
    ]
    for args, needle in cases:
        line = one_error_line(neq_here("run", "macrostates", *args, cwd=tmp_path))
        assert needle in line, line


def test_item7_a_port_that_accepts_but_is_no_scheduler_is_refused_within_the_timeout(tmp_path, monkeypatch, capsys):
    """Dask's own Client waits forever here; the check gives up after its timeout."""
    import neqlab.runner.scheduler as sched

    monkeypatch.setattr(sched, "CONNECT_TIMEOUT", 0.5)
    monkeypatch.chdir(tmp_path)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        addr = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        t0 = time.monotonic()
        code = main(["run", "macrostates", *SMALL_SETS, "--scheduler", addr, "--out", "new/x.nc"])
        elapsed = time.monotonic() - t0
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert f"cannot reach scheduler '{addr}' within 0.5 s (the port accepts connections but sent no Dask handshake)" \
        in err[0]
    assert elapsed < 10
    assert list(tmp_path.iterdir()) == []


def test_item6_essay_bad_input_creates_nothing(tmp_path):
    (tmp_path / "afile").write_text("x")
    cases = [
        (["--backend", "bogus", "--out", "rep"], "backend must be one of 'local', 'dask', got 'bogus'"),
        (["--scheduler", "tcp://127.0.0.1:1", "--out", "rep"], "cannot reach scheduler"),
        (["--out", ""], "out must be a writable directory (a path), got ''"),
        (["--out", "afile/rep"], "out must be a writable directory"),
        (["--out", "afile"], "out must be a writable directory"),
        (["--out", "/proc/rep"], "out must be a writable directory"),
        (["--out", "rep", "--workers", "0"], "workers must be an integer in [1, 1024], got '0'"),
        (["--out", "rep", "--scale", "huge"], "scale must be one of quick, default, full, got 'huge'"),
        (["--out", "rep", "--lang", "fr"], "lang must be one of en, ja, got 'fr'"),
        (["--out", "b" * 300], "out must be a writable directory"),
    ]
    before = tree(tmp_path)
    for i, (args, needle) in enumerate(cases):
        line = one_error_line((neq if i < 3 else neq_here)("essay", *args, cwd=tmp_path))
        assert needle in line, (args, line)
        assert tree(tmp_path) == before, args


def test_item6_plot_validates_before_creating(tmp_path, small_result):
    before = tree(tmp_path)
    for args, needle in [(["missing.nc", "--out", "newdir/f.png"], "path must be an existing result file"),
                         ([small_result, "--out", "newdir/f.gif"], "out must end in one of .png, .svg, .pdf"),
                         ([small_result, "--out", "/proc/f.png"], "out must be a path in a writable directory")]:
        line = one_error_line(neq_here("plot", *args, cwd=tmp_path))
        assert needle in line
        assert tree(tmp_path) == before
    r = neq("plot", small_result, "--out", "newdir/f.svg", cwd=tmp_path)
    assert r.returncode == 0 and (tmp_path / "newdir" / "f.svg").read_text().lstrip().startswith("<?xml")
    assert tree(tmp_path) == before | {"newdir/", "newdir/f.svg"}


def test_item8_no_arguments(tmp_path):
    r = neq(cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.startswith("usage: neqlab") and r.stderr == ""


def test_item16_memory_beyond_what_is_available_is_refused_naming_the_keys(tmp_path, monkeypatch, capsys):
    """The estimate of the run (run.estimate) against the available memory, set small here."""
    import neqlab.io.store as store

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(store, "available_memory", lambda: 50_000_000)  # 50 MB
    # macrostates at its default size holds 8 * n_replicas * n_t bytes of urn paths: ~80 MB
    code = main(["run", "macrostates", "--out", "new/x.nc", "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert err[0].startswith("error: config must fit in the available memory: this run needs about ")
    assert "50 MB is available; lower n_replicas, n_steps, n_rings, n_sites, recurrence_n_particles " \
           "(or pass --force to run anyway)" in err[0]
    assert list(tmp_path.iterdir()) == []


def test_item16_force_runs_anyway_and_small_runs_pass(tmp_path, monkeypatch, capsys):
    import neqlab.io.store as store

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(store, "available_memory", lambda: 1000)  # less than any run needs
    sets = SMALL_SETS
    assert main(["run", "macrostates", *sets, "--out", "x.nc", "--quiet"]) == 2
    assert not (tmp_path / "x.nc").exists()
    assert main(["run", "macrostates", *sets, "--out", "x.nc", "--quiet", "--force"]) == 0
    assert (tmp_path / "x.nc").exists()
    capsys.readouterr()


def test_item16_long_runs_announce_their_estimate(tmp_path, monkeypatch, capsys):
    """A run estimated to last longer than two seconds says how long and how much memory,
    before it starts (the progress bar follows after one second)."""
    from neqlab.experiments import REGISTRY
    from neqlab.experiments._frame import Cost

    class Stop(BaseException):
        pass

    def stop(config, *, runner=None):
        raise Stop

    run_module = REGISTRY["macrostates"].module("run")
    monkeypatch.setattr(run_module, "estimate", lambda cfg: Cost(3e8, 7200.0, ("n_replicas",)))
    monkeypatch.setattr(REGISTRY["macrostates"], "run", stop)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(Stop):
        main(["run", "macrostates", "--workers", "1"])
    err = capsys.readouterr().err
    assert "macrostates: about 2.0 h on 1 worker(s) and 300 MB of memory (a rough estimate from the config)" in err


def test_rejected_checkpoint_chunks_are_reported(tmp_path):
    """A chunk copied over another's name is recomputed, and the CLI says so (issue 18, item 9)."""
    args = ["run", "macrostates", *SMALL_SETS, "--workers", "1", "--out", "k.nc", "--quiet"]
    clean = neq_here(*args, cwd=tmp_path)
    assert clean.returncode == 0, clean.stderr
    want = neqlab.load(tmp_path / "k.nc")
    # make a checkpoint of two chunks, then copy one over the other
    from neqlab.experiments.api import make_config, run_config
    from neqlab.runner import Runner

    cfg = make_config("macrostates", dict(s.split("=") for s in SMALL_SETS[1::2]))
    ckpt = tmp_path / "k.nc.ckpt"
    run_config("macrostates", cfg, runner=Runner(workers=1, progress=False, checkpoint_dir=ckpt))
    chunks = sorted(ckpt.glob("kac-*.npz"))
    assert len(chunks) >= 2
    shutil.copy(chunks[0], chunks[1])
    r = neq(*args, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert f"recomputed 1 corrupt or foreign checkpoint chunk(s) in {ckpt.name}" in r.stderr
    got = neqlab.load(tmp_path / "k.nc")
    for name in want.data_vars:
        assert np.array_equal(want[name].values, got[name].values), name
