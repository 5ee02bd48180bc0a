"""Helpers of the command-line tests: the real CLI in a subprocess, and what to assert."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# macrostates at about its SMALL size (runs in a second or two)
SMALL_SETS = ["--set", "n_particles=30", "--set", "n_steps=300", "--set", "n_replicas=100",
              "--set", "recurrence_n_particles=5", "--set", "n_sites=60", "--set", "n_rings=20",
              "--set", "counting_n_max=1000"]


def neq(*args, cwd, timeout=300, env=None):
    """``neqlab ARGS`` in a subprocess (the installed code, a fresh interpreter)."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("NEQLAB_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "neqlab.cli.main", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=full_env)


def one_error_line(r) -> str:
    """The single ``error:`` line of a refused command (asserts there is exactly one)."""
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    return lines[0]


def tree(root: Path) -> set[str]:
    """Every path under ``root`` (relative), directories included."""
    return {str(p.relative_to(root)) + ("/" if p.is_dir() else "") for p in root.rglob("*")}


def neq_here(*args, cwd):
    """``neqlab ARGS`` run in this process (``neqlab.cli.main.main``), in directory ``cwd``:
    the same code path without an interpreter's start-up, for the many-case tests."""
    import contextlib
    import io
    from types import SimpleNamespace

    from neqlab.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())
