"""The command line starts light (issue 13, part 8) and says what it accepts (issue 19).

Start-up *time* is measured in benchmarks/bench_cli.py, never here; these tests check
the cause of a slow start instead: which heavy modules a command imports, seen from a
fresh interpreter that prints ``sys.modules`` after running the command.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from neqlab.cli.parser import value_text
from neqlab.experiments import REGISTRY
from neqlab.experiments.api import SCALE_NAMES, get

from clitools import neq, neq_here, one_error_line

HEAVY = ("numpy", "xarray", "matplotlib", "scipy", "numba", "pandas", "dask", "distributed", "netCDF4", "rich",
         "starlette", "uvicorn")

PROBE = """
import json, sys
from neqlab.cli.main import main
code = main(sys.argv[1:])
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(HEAVY)))
print("\\nHEAVY=" + json.dumps(heavy) + " CODE=" + str(code))
"""



def heavy_modules(*args, cwd):
    code = PROBE.replace("json.loads(HEAVY)", repr(list(HEAVY)))
    r = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    line = [x for x in r.stdout.splitlines() if x.startswith("HEAVY=")][-1]
    heavy, code = line.removeprefix("HEAVY=").split(" CODE=")
    return json.loads(heavy), int(code), r


@pytest.mark.parametrize("args, code", [
    (["--help"], 0),
    (["--version"], 0),
    ([], 0),
    (["run", "macrostates", "--set", "n_particles=0"], 2),
    (["run", "macrostates", "--set", "n_partikles=3"], 2),
    (["run", "macrostates", "--scale", "huge"], 2),
    (["run", "macrostates", "--backend", "mpi"], 2),
    (["run", "macrostates", "--scheduler", "bogus://x"], 2),
    (["run", "nosuch"], 2),
    (["run", "macrostates", "--help"], 0),
    (["config", "macrostates", "--scale", "quick"], 0),
    (["essay", "--lang", "fr"], 2),
    (["serve", "--port", "70000"], 2),
])
def test_fast_commands_import_no_heavy_module(tmp_path, args, code):
    heavy, got, r = heavy_modules(*args, cwd=tmp_path)
    assert got == code, r.stderr
    assert heavy == [], f"`neqlab {' '.join(args)}` imported {heavy}"


def test_list_imports_no_heavy_module(tmp_path):
    heavy, code, r = heavy_modules("list", cwd=tmp_path)
    assert code == 0, r.stderr
    assert heavy == [], f"`neqlab list` imported {heavy}"


def test_no_arguments_prints_help_and_exits_0(tmp_path):
    r = neq(cwd=tmp_path)
    assert r.returncode == 0 and r.stderr == ""
    assert r.stdout.startswith("usage: neqlab") and "COMMAND" in r.stdout
    for command in ("list", "run", "config", "show", "plot", "export", "essay", "serve"):
        assert f"\n    {command} " in r.stdout


def test_run_help_lists_every_key_with_default_unit_and_range(tmp_path):
    for name in REGISTRY:
        r = (neq if name == "macrostates" else neq_here)("run", name, "--help", cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        flat = " ".join(r.stdout.split())  # the key table is wrapped to the terminal
        exp = get(name)
        default = exp.SCALES["default"]
        for key, info in exp.Config.field_info().items():
            unit = f" [{info['unit']}]" if info["unit"] else ""
            assert f"\n  {key} = {value_text(getattr(default, key))}{unit}\n" in r.stdout, (name, key)
            assert " ".join(info["allowed"].split()) in flat, (name, key)


def test_run_help_names_the_choices_and_the_default_scale(tmp_path):
    r = neq("run", "--help", cwd=tmp_path)
    flat = " ".join(r.stdout.split())
    assert r.returncode == 0
    assert "--scale {quick,default,full}" in flat and "(default: default" in flat
    assert "--backend {local,dask}" in flat and "implies --backend dask" in flat
    assert "Dask's start-up" in flat and "dominates small runs" in flat
    assert "`neqlab run NAME --help` also lists the keys" in flat


def test_run_help_of_an_unknown_experiment_is_one_error_line(tmp_path):
    line = one_error_line(neq("run", "nosuch", "--help", cwd=tmp_path))
    assert "experiment must be one of " + ", ".join(REGISTRY) + ", got 'nosuch'" in line


def test_scale_names_agree_with_the_report_and_export_formats_with_io():
    from neqlab.cli.parser import EXPORT_FORMATS
    from neqlab.io.export import FORMATS
    from neqlab.report.essay import SCALES

    assert EXPORT_FORMATS == FORMATS and tuple(SCALES) == SCALE_NAMES


def test_no_scale_is_the_default_scale(tmp_path):
    for name in REGISTRY:
        plain = neq_here("config", name, cwd=tmp_path)
        default = neq_here("config", name, "--scale", "default", cwd=tmp_path)
        assert plain.returncode == default.returncode == 0
        body = lambda text: text.split("\n", 1)[1]  # noqa: E731 - the first line names the scale
        assert body(plain.stdout) == body(default.stdout)
