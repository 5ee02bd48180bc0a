"""docs/tutorial.ipynb runs from top to bottom in a kernel of this environment, so it cannot rot."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "tutorial.ipynb"


def outputs_of(nb, source_start: str) -> list:
    cells = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(source_start)]
    assert len(cells) == 1, source_start
    return cells[0].outputs


def test_the_tutorial_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")


def test_the_tutorial_runs_and_shows_data_figures_and_verdicts(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # first, prove the kernel is this environment's Python (the one make test installed into)
    nb.cells.insert(0, nbformat.v4.new_code_cell("import sys; print(sys.executable)"))
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=300,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError on the first cell that fails
    exe = nb.cells[0].outputs[0]["text"].strip()
    assert os.path.realpath(exe) == os.path.realpath(sys.executable)

    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    figure = outputs_of(nb, "neqlab.plot(ds)")
    assert any("image/png" in o.get("data", {}) for o in figure)  # the experiment's figure displays inline
    own_plot = outputs_of(nb, "import matplotlib.pyplot")
    assert any("image/png" in o.get("data", {}) for o in own_plot)
    verdict = outputs_of(nb, "v = neqlab.verdict(ds)")[0]["data"]
    assert "text/html" in verdict and ">holds</span>" in verdict["text/html"]
    ja = outputs_of(nb, 'neqlab.verdict(ds, lang="ja")')[0]["data"]["text/html"]
    assert "成り立つ" in ja
    short = outputs_of(nb, "short = neqlab.run")[0]["data"]["text/html"]
    assert ">inconclusive</span>" in short
    assert (tmp_path / "macrostates.nc").is_file() and (tmp_path / "macrostates.toml").is_file()
