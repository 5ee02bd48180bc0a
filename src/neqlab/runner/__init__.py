"""Ensembles of independent tasks, local or Dask, chunked, seeded per replica, checkpointed."""

from neqlab.runner.ensemble import Runner, run_ensemble

__all__ = ["Runner", "run_ensemble"]
