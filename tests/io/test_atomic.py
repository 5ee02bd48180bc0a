"""Atomic writes (issue 18: items 10, 11): the umask's mode, stale temporaries of a killed
save removed by the next save of the same target, and nothing else ever touched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from neqlab.core.errors import ConfigError
from neqlab.io.store import atomic_write, check_output_path, load, remove_stale_temporaries, save


def _ds():
    return xr.Dataset({"a": (("t",), np.arange(5.0))}, coords={"t": np.arange(5)}, attrs={"config": "{}"})


UMASKS = [(0o022, 0o644), (0o077, 0o600)]  # the usual umask and a private one


@contextmanager
def umask(mask):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def test_results_honour_the_umask_and_a_failed_save_keeps_the_old_file(tmp_path):
    for mask, mode in UMASKS:
        with umask(mask):
            p = save(_ds(), tmp_path / f"r{mask:o}.nc")
            assert oct(p.stat().st_mode & 0o777) == oct(mode)
            p = save(_ds(), p)  # replacing an existing result too
            assert oct(p.stat().st_mode & 0o777) == oct(mode)
    target = tmp_path / "r22.nc"
    before = target.read_bytes()
    bad = xr.Dataset({"a": (("t",), np.arange(3))}, attrs={"bad": {"nested": 1}})  # cannot be written
    with pytest.raises(Exception):
        save(bad, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r22.nc", "r77.nc"]


def test_figures_and_text_through_atomic_write_honour_the_umask(tmp_path):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    for mask, mode in UMASKS:
        with umask(mask):
            with atomic_write(tmp_path / f"f{mask:o}.png") as tmp:
                fig.savefig(tmp, format="png")
            with atomic_write(tmp_path / f"index{mask:o}.html") as tmp:
                tmp.write_text("<p>ok</p>", encoding="utf-8")
        for name in (f"f{mask:o}.png", f"index{mask:o}.html"):
            assert oct((tmp_path / name).stat().st_mode & 0o777) == oct(mode)
    plt.close(fig)
    assert (tmp_path / "f22.png").read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f22.png", "f77.png", "index22.html", "index77.html"]


HANG_IN_SAVE = textwrap.dedent("""
    import sys, time
    import numpy as np, xarray as xr
    from neqlab.io.store import save
    real = xr.Dataset.to_netcdf
    def stalled(self, path, *a, **k):
        real(self, path, *a, **k)       # the temporary is half-way: written, not yet renamed
        print("writing", flush=True)
        time.sleep(120)
    xr.Dataset.to_netcdf = stalled
    save(xr.Dataset({"a": (("t",), np.arange(5.0))}), sys.argv[1])
""")

SAVE = textwrap.dedent("""
    import sys
    import numpy as np, xarray as xr
    from neqlab.io.store import save
    save(xr.Dataset({"a": (("t",), np.arange(7.0))}), sys.argv[1])
""")


def test_kill_9_during_the_final_save_leaves_a_temporary_that_the_next_save_removes(tmp_path):
    out = tmp_path / "macrostates.nc"
    child = subprocess.Popen([sys.executable, "-c", HANG_IN_SAVE, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "writing"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".macrostates.nc.") and left[0].endswith(".tmp"), left
    time.sleep(0.2)  # the rerun starts after the temporary's last modification (start known to ~10 ms)
    subprocess.run([sys.executable, "-c", SAVE, str(out)], check=True, timeout=120)
    assert [p.name for p in tmp_path.iterdir()] == ["macrostates.nc"]
    assert np.array_equal(load(out)["a"].values, np.arange(7.0))


def _age(p: Path, seconds: float = 3600.0) -> Path:
    t = time.time() - seconds
    os.utime(p, (t, t), follow_symlinks=False)
    return p


def test_stale_rule_removes_only_the_targets_own_dead_temporaries(tmp_path):
    target = tmp_path / "r.nc"
    stale = [tmp_path / ".r.nc.abcd1234.tmp", tmp_path / ".r.nc.x_y_z_09.tmp"]
    for p in stale:
        p.write_bytes(b"")
        _age(p)
    kept = {}
    for name in (".r.nc.abc1234.tmp", ".r.nc.abcd12345.tmp", ".r.nc.ABCD1234.tmp", ".rr.nc.abcd1234.tmp",
                 "r.nc.abcd1234.tmp", ".r.nc.abcd1234.tmp.keep", ".r.ncXabcd1234.tmp", ".s.nc.abcd1234.tmp"):
        kept[name] = tmp_path / name
        kept[name].write_bytes(b"x")
        _age(kept[name])
    young = tmp_path / ".r.nc.young123.tmp"  # modified after this process started: maybe ours
    young.write_bytes(b"")
    kept[young.name] = young
    (tmp_path / ".r.nc.adirecto.tmp").mkdir()
    kept[".r.nc.adirecto.tmp"] = _age(tmp_path / ".r.nc.adirecto.tmp")
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    link = tmp_path / ".r.nc.symlink1.tmp"
    link.symlink_to(outside)
    kept[link.name] = _age(link)
    # a concurrent writer: an old temporary another process still holds open
    held = tmp_path / ".r.nc.heldopen.tmp"
    held.write_bytes(b"")
    _age(held)
    with open(held, "rb") as fh:
        holder = subprocess.Popen(["sleep", "60"], stdin=fh)
    try:
        removed = remove_stale_temporaries(target)
    finally:
        holder.kill()
        holder.wait()
    assert sorted(removed) == sorted(stale)
    assert all(not p.exists() for p in stale)
    assert all(os.path.lexists(p) for p in kept.values()) and held.exists() and outside.read_text() == "keep me"
    # once its writer has gone, the held one is stale too
    assert remove_stale_temporaries(target) == [held]
    # a temporary this process holds open (a save under way in another thread) is kept, however old
    with atomic_write(target) as tmp:
        _age(tmp)
        assert remove_stale_temporaries(target) == [] and tmp.exists()
        tmp.write_text("x")
    assert target.read_text() == "x"


@pytest.mark.parametrize("bad, why", [
    ("", "must be a file path, got ''"),
    ("x" * 303 + ".nc", "must be a path whose file names have at most 241 bytes"),
    ("/proc/x.nc", "must be a path in a writable directory, got '/proc/x.nc'"),
    ("/dev/null", "must be a regular file path, got '/dev/null' (a character device)"),
    ("{tmp}", "must be a regular file path, got '{tmp}' (a directory)"),
    ("{tmp}/afile/x.nc", "must be a path in a writable directory, got '{tmp}/afile/x.nc' (Not a directory)"),
    ("{tmp}/d/", "must be a file path, got the directory"),
    ("a\x00b.nc", "must be a file path"),
])
def test_check_output_path_refuses_without_creating_anything(tmp_path, bad, why):
    (tmp_path / "afile").write_text("")
    before = sorted(os.listdir(tmp_path))
    bad, why = bad.replace("{tmp}", str(tmp_path)), why.replace("{tmp}", str(tmp_path))
    with pytest.raises(ConfigError) as info:
        check_output_path(bad)
    assert str(info.value).startswith("out must be") and why in str(info.value), str(info.value)
    assert "\n" not in str(info.value)
    assert sorted(os.listdir(tmp_path)) == before


def test_check_output_path_accepts_new_directories_and_creates_nothing(tmp_path):
    p = check_output_path(tmp_path / "new" / "sub" / "out.nc")
    assert p == tmp_path / "new" / "sub" / "out.nc" and not (tmp_path / "new").exists()
    assert check_output_path(tmp_path / ("x" * 238 + ".nc")) and os.listdir(tmp_path) == []
    p = save(_ds(), tmp_path / "new" / "sub" / "out.nc")  # save creates the directories
    assert p.is_file()
