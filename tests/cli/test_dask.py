"""Dask from the command line (issue 19, item 4): ``--scheduler`` implies the Dask backend,
the dashboard link is printed when Dask starts, and a sweep run on a cluster of separate
processes (``dask scheduler`` and two ``dask worker``, as on several machines; see
docs/cluster.md) is bitwise the local result."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pytest

import neqlab
from clitools import SMALL_SETS, neq, neq_here

pytest.importorskip("dask.distributed")
DASK = Path(sys.executable).with_name("dask")


def same_data(a, b) -> None:
    for name in a.data_vars:
        assert np.array_equal(a[name].values, b[name].values), name


def start(cmd: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    """End a process we started (and the worker process a `dask worker` nanny starts) by its id."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.mark.skipif(not DASK.exists(), reason="the dask command is not installed")
def test_two_worker_cluster_of_separate_processes_is_bitwise_local(tmp_path):
    """16 s on the shared 2-core machine under load 7 (the scheduler and workers start in
    a few seconds each): in the fast suite, as the brief allows below ~20 s."""
    info = tmp_path / "scheduler.json"
    with ExitStack() as stack:
        scheduler = start([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                           "--scheduler-file", str(info)], tmp_path)
        stack.callback(stop, scheduler)
        deadline = time.monotonic() + 120
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        for _ in range(2):
            worker = start([str(DASK), "worker", "--scheduler-file", str(info), "--nthreads", "1",
                            "--nworkers", "1", "--no-dashboard"], tmp_path)
            stack.callback(stop, worker)
        _wait_for_workers(address, 2, deadline)
        t0 = time.monotonic()
        r = neq("run", "macrostates", *SMALL_SETS, "--scheduler", address, "--out", "cluster.nc", cwd=tmp_path)
        on_cluster = time.monotonic() - t0
        assert r.returncode == 0, r.stderr
    assert f"dask: scheduler {address}, 2 worker(s); dashboard" in r.stderr or \
        f"dask: scheduler {address}, 2 worker(s); no dashboard" in r.stderr
    local = neq_here("run", "macrostates", *SMALL_SETS, "--workers", "1", "--out", "local.nc", "--quiet",
                     cwd=tmp_path)
    assert local.returncode == 0
    same_data(neqlab.load(tmp_path / "local.nc"), neqlab.load(tmp_path / "cluster.nc"))
    print(f"run on the two-worker cluster: {on_cluster:.1f} s")


def _wait_for_workers(address: str, n: int, deadline: float) -> None:
    from dask.distributed import Client

    with Client(address, timeout="30s") as client:
        while len(client.scheduler_info()["workers"]) < n:
            assert time.monotonic() < deadline, "workers did not join"
            time.sleep(0.2)


@pytest.mark.slow  # a local Dask cluster starts in 5-15 s on the shared machine
def test_local_dask_prints_its_dashboard_and_matches_local(tmp_path):
    r = neq("run", "macrostates", *SMALL_SETS, "--backend", "dask", "--workers", "2", "--out", "d.nc", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    banner = [x for x in r.stderr.splitlines() if x.startswith("dask: ")]
    assert len(banner) == 1 and banner[0].startswith("dask: a local cluster, 2 worker(s); dashboard http://127.0.0.1:")
    if importlib.util.find_spec("bokeh") is None:
        assert banner[0].endswith("/status (install bokeh to see it)")
    local = neq_here("run", "macrostates", *SMALL_SETS, "--out", "l.nc", "--quiet", cwd=tmp_path)
    assert local.returncode == 0
    same_data(neqlab.load(tmp_path / "l.nc"), neqlab.load(tmp_path / "d.nc"))


def test_scheduler_alone_means_dask(tmp_path, monkeypatch):
    """`--scheduler ADDRESS` without `--backend` runs on Dask (the runner gets backend dask)."""
    from neqlab.runner import ensemble

    seen = {}

    class Stop(BaseException):
        pass

    def spy(self, fn, items, todo):
        seen.update(backend=self.backend, scheduler=self.scheduler)
        raise Stop

    monkeypatch.setattr(ensemble.Runner, "_execute_dask", spy)
    monkeypatch.setattr("neqlab.runner.scheduler.check_scheduler", lambda address, **kw: address)
    with pytest.raises(Stop):
        neq_here("run", "macrostates", *SMALL_SETS, "--scheduler", "tcp://127.0.0.1:8786", "--quiet", cwd=tmp_path)
    assert seen == {"backend": "dask", "scheduler": "tcp://127.0.0.1:8786"}
    assert list(tmp_path.iterdir()) == []
