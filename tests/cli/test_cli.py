"""The real command line, through subprocess: exit codes, one-line errors, no stray files."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import neqlab
from neqlab.runner import Runner

SMALL_SETS = ["--set", "n_particles=30", "--set", "n_steps=300", "--set", "n_replicas=100",
              "--set", "recurrence_n_particles=5", "--set", "n_sites=60", "--set", "n_rings=20",
              "--set", "counting_n_max=1000"]


def neq(*args, cwd, timeout=300):
    return subprocess.run([sys.executable, "-m", "neqlab.cli.main", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("args, needle", [
    (["run", "nosuch"], "experiment must be one of " + ", ".join(neqlab.REGISTRY) + ", got 'nosuch'"),
    (["run", "macrostates", "--set", "bogus=1"], "unknown key 'bogus' for macrostates; valid keys: n_particles"),
    (["run", "macrostates", "--set", "n_particles=0"], "n_particles must be an integer in [2, 1000000], got '0'"),
    (["run", "macrostates", "--set", "n_particles=many"], "n_particles must be an integer in [2, 1000000], got 'many'"),
    (["run", "macrostates", "--set", "marker_fraction=1.5"], "marker_fraction must be a number in [0.0, 1.0], got '1.5'"),
    (["run", "macrostates", "--set", "n_particles"], "--set must look like KEY=VALUE"),
    (["run", "macrostates", "--seed", "-3"], "seed must be an integer in [0, 9223372036854775807]"),
    (["run", "macrostates", "--workers", "0"], "workers must be an integer in [1, 1024], got '0'"),
    (["run", "macrostates", "--backend", "mpi"], "backend must be one of 'local', 'dask', got 'mpi'"),
    (["run", "macrostates", "--config", "missing.toml"], "config must be a readable regular file, got 'missing.toml'"),
    (["run", "macrostates", "--out", "ro/x.nc"], "out must be a path in a writable directory"),
    (["run", "macrostates", "--out", "x.txt"], "out must be a file name ending in .nc"),
    (["show", "missing.nc"], "path must be an existing result file"),
    (["essay", "--scale", "huge"], "scale must be one of quick, default, full, got 'huge'"),
    (["plot", "missing.nc", "--out", "f.gif"], "out must end in one of .png, .svg, .pdf"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_exit_2_one_line_no_output(tmp_path, args, needle):
    (tmp_path / "ro").write_text("a file, so ro/x.nc cannot be created (works as root too)")
    before = set(tmp_path.iterdir())
    r = neq(*args, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert needle in lines[0]
    assert "Traceback" not in r.stderr
    assert set(tmp_path.iterdir()) == before  # no output file, no checkpoint


def test_bad_toml_and_unknown_key_in_toml(tmp_path):
    (tmp_path / "bad.toml").write_text("n_particles = = 3")
    r = neq("run", "macrostates", "--config", "bad.toml", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.startswith("error: config must be a valid TOML file")
    (tmp_path / "c.toml").write_text("n_partikles = 3\n")
    r = neq("run", "macrostates", "--config", "c.toml", cwd=tmp_path)
    assert r.returncode == 2 and "unknown key 'n_partikles'" in r.stderr


def test_run_show_plot_round_trip(tmp_path):
    (tmp_path / "c.toml").write_text("n_particles = 40\nmarker_fraction = 0.05\n")
    r = neq("run", "macrostates", "--config", "c.toml", *SMALL_SETS[2:], "--seed", "5", "--out", "r.nc",
            "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "macrostates:" in r.stdout
    s = neq("show", "r.nc", "--json", cwd=tmp_path)
    v = json.loads(s.stdout)
    assert set(v) >= {"experiment", "claim", "holds", "conditions", "checks", "subclaims"}
    assert {"name", "label", "measured", "error", "bound", "unit", "passed"} <= set(v["checks"][0])
    assert v["experiment"] == "macrostates" and v["holds"] in (True, False, None)
    ds = neqlab.load(tmp_path / "r.nc")
    cfg = json.loads(ds.attrs["config"])
    assert cfg["n_particles"] == 40 and cfg["marker_fraction"] == 0.05 and cfg["seed"] == 5
    p = neq("plot", "r.nc", "--out", "fig.svg", cwd=tmp_path)
    assert p.returncode == 0 and (tmp_path / "fig.svg").read_text().lstrip().startswith("<?xml")
    lst = neq("list", cwd=tmp_path)
    assert lst.returncode == 0
    assert [line.split()[0] for line in lst.stdout.splitlines()] == list(neqlab.REGISTRY)


def test_same_seed_bitwise_same_data_any_workers(tmp_path):
    a = neq("run", "macrostates", *SMALL_SETS, "--workers", "1", "--out", "a.nc", "--quiet", cwd=tmp_path)
    b = neq("run", "macrostates", *SMALL_SETS, "--workers", "2", "--out", "b.nc", "--quiet", cwd=tmp_path)
    assert a.returncode == b.returncode == 0
    da, db = neqlab.load(tmp_path / "a.nc"), neqlab.load(tmp_path / "b.nc")
    for name in da.data_vars:
        assert np.array_equal(da[name].values, db[name].values), name


KILL_SETS = ["--set", "n_particles=20", "--set", "n_steps=100", "--set", "n_replicas=64",
             "--set", "recurrence_n_particles=4", "--set", "n_sites=1500", "--set", "n_rings=640",
             "--set", "counting_n_max=100", "--seed", "7"]


def test_kill_9_then_resume_is_bitwise_identical(tmp_path):
    """kill -9 in the middle of the Kac ensemble; the rerun resumes and matches a clean run."""
    cmd = [sys.executable, "-m", "neqlab.cli.main", "run", "macrostates", *KILL_SETS,
           "--workers", "1", "--out", "k.nc", "--quiet"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ckpt = tmp_path / "k.nc.ckpt"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(ckpt.glob("kac-*.npz")):
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    n_kept = len(list(ckpt.glob("kac-*.npz")))
    assert not (tmp_path / "k.nc").exists(), "killed before the end: no output file"
    assert 1 <= n_kept < 64, n_kept
    r = subprocess.run(cmd[:-1], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "resumed" in r.stderr
    assert not ckpt.exists()
    resumed = neqlab.load(tmp_path / "k.nc")
    from neqlab.experiments.api import run_config

    clean = run_config("macrostates", _kill_config(), runner=Runner(workers=2, progress=False))
    for name in clean.data_vars:
        assert np.array_equal(clean[name].values, resumed[name].values), name


def _kill_config():
    from neqlab.experiments.api import make_config

    pairs = [s.split("=") for s in KILL_SETS[1:-2:2]]
    return make_config("macrostates", {k: v for k, v in pairs} | {"seed": 7})


def test_ctrl_c_exits_130_and_keeps_checkpoint(tmp_path):
    # 20x the rings of KILL_SETS, so the run is surely still going when SIGINT arrives (only
    # the time until the signal is spent). The child gets the default SIGINT disposition: a
    # test suite started as a background job (`make test &`) inherits SIGINT = ignored from
    # the shell, and Python then installs no KeyboardInterrupt handler (the run went on and
    # exited 0).
    sets = [s if s != "n_rings=640" else "n_rings=12800" for s in KILL_SETS]
    cmd = [sys.executable, "-m", "neqlab.cli.main", "run", "macrostates", *sets,
           "--workers", "1", "--out", "k.nc", "--quiet"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    ckpt = tmp_path / "k.nc.ckpt"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(ckpt.glob("kac-*.npz")):
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "rerun the same command to resume" in err
    assert list(ckpt.glob("*.npz")) and not (tmp_path / "k.nc").exists()


def test_failure_during_a_run_exits_1_with_one_line(monkeypatch, capsys, tmp_path):
    """A run that fails (here: a simulated blow-up) exits 1 with one error line and no output file."""
    from neqlab.cli.main import main
    from neqlab.core.errors import SimulationError
    from neqlab.experiments import REGISTRY

    def boom(config, *, runner=None):
        raise SimulationError("overlap at step 12: reduce dt or lower the density")

    monkeypatch.setattr(REGISTRY["macrostates"], "run", boom)
    out = tmp_path / "r.nc"
    assert main(["run", "macrostates", "--out", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: overlap at step 12: reduce dt or lower the density"]
    assert not out.exists()
