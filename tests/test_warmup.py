"""The warm-up compiles every group's kernels; bad input is a one-line ConfigError."""

from __future__ import annotations

import os

import pytest

from neqlab.core.errors import ConfigError
from neqlab.warmup import AFTER, GROUPS, _chains, main, warmup


def test_every_group_runs_in_process():
    times = warmup(processes=1)  # the kernels are cached by the other tests: cheap here
    assert set(times) == set(GROUPS) and all(t >= 0 for t in times.values())


def test_groups_run_in_separate_processes():
    assert set(warmup(["toy", "maps"], processes=2)) == {"toy", "maps"}


def test_a_group_runs_after_the_one_whose_kernels_it_reuses():
    chains = _chains(list(GROUPS))
    assert sorted(g for c in chains for g in c) == sorted(GROUPS)  # every group once
    for g, head in AFTER.items():
        chain = next(c for c in chains if g in c)
        assert chain.index(head) < chain.index(g)
    costs = [sum(GROUPS[g][1] for g in c) for c in chains]
    assert costs == sorted(costs, reverse=True)  # the dearest process first
    assert _chains(["shear", "toy"]) == [["shear"], ["toy"]]  # alone when its head is not asked for
    assert _chains(["shear", "shear-tangent"]) == [["shear-tangent", "shear"]]


def test_bad_input_names_the_choices():
    with pytest.raises(ConfigError, match="warmup group must be one of gas, gas-f32, .* got 'gaz'"):
        warmup(["gaz"])
    with pytest.raises(ConfigError, match=r"processes must be an integer in \[1, inf\), got 0"):
        warmup(["toy"], processes=0)
    assert main(["gaz"]) == 2


def test_write_bytecode_writes_what_is_missing_and_only_that(tmp_path, monkeypatch):
    import importlib
    import sys

    from neqlab.warmup import write_bytecode

    (tmp_path / "nq_bytecode_probe.py").write_text("X = 41 + 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # as with PYTHONDONTWRITEBYTECODE=1
    mod = importlib.import_module("nq_bytecode_probe")
    try:
        assert mod.X == 42 and not os.path.exists(mod.__cached__)
        assert write_bytecode([mod, sys, os]) == 1  # the probe; a built-in module and one with bytecode are skipped
        assert os.path.exists(mod.__cached__)
        assert write_bytecode([mod]) == 0  # nothing left to write
    finally:
        sys.modules.pop("nq_bytecode_probe", None)
