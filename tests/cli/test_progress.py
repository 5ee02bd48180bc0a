"""Progress for every run longer than a second (issue 18, item 16): the runner's bar
appears once work has lasted ``_Progress.DELAY``, even while its only chunk is still
running; shorter work shows nothing. The console is told it is a terminal
(``TTY_COMPATIBLE``/``TTY_INTERACTIVE``, rich's switches), as stderr is captured here."""

from __future__ import annotations

import time

import numpy as np
import pytest

from neqlab.runner import Runner
from neqlab.runner import ensemble


def slow(item):
    time.sleep(0.8)
    return {"x": np.zeros(1)}


def quick(item):
    return {"x": np.zeros(1)}


@pytest.fixture
def terminal(monkeypatch):
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("TTY_INTERACTIVE", "1")
    monkeypatch.setattr(ensemble._Progress, "DELAY", 0.1)


def test_a_single_slow_chunk_shows_a_bar_before_it_ends(terminal, capsys):
    with Runner(workers=1, progress=True) as r:
        r.map(slow, [0], name="slow", label="slow work")
    err = capsys.readouterr().err
    assert "slow work" in err and "0/1" in err  # drawn while the chunk was running


def test_short_work_and_quiet_runs_show_nothing(terminal, capsys):
    with Runner(workers=1, progress=True) as r:
        r.map(quick, [0, 1, 2], name="quick", label="quick work")
    with Runner(workers=1, progress=False) as r:
        r.map(slow, [0], name="slow", label="quiet work")
    err = capsys.readouterr().err
    assert "quick work" not in err and "quiet work" not in err
