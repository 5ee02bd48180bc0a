"""Ensembles of independent tasks, local or Dask, chunked, seeded per replica, checkpointed.

``Runner`` and ``run_ensemble`` are imported on first use, so that the command line can
check a backend or a scheduler address (:mod:`neqlab.runner.scheduler`, standard library
only) without loading NumPy.
"""

from __future__ import annotations

import importlib

__all__ = ["Runner", "run_ensemble"]


def __getattr__(name: str):
    if name in __all__:
        return getattr(importlib.import_module("neqlab.runner.ensemble"), name)
    raise AttributeError(f"module 'neqlab.runner' has no attribute {name!r}")
