"""neqlab: a fast laboratory for nonequilibrium statistical mechanics.

Every claim of the essay is an experiment that runs, measures, plots and gives a
verdict::

    import neqlab
    ds = neqlab.run("macrostates", scale="quick", seed=0)
    print(neqlab.verdict(ds).badge)

The names below are imported on first use, so ``import neqlab`` (and the command line)
starts without loading NumPy, xarray or matplotlib.
"""

from __future__ import annotations

import importlib

_LAZY = {
    "REGISTRY": "neqlab.experiments",
    "run": "neqlab.experiments.api",
    "config": "neqlab.experiments.api",
    "config_toml": "neqlab.experiments.api",
    "verdict": "neqlab.experiments.api",
    "plot": "neqlab.experiments.api",
    "load": "neqlab.io.store",
    "save": "neqlab.io.store",
    "export_result": "neqlab.io.export",
}
__all__ = ["REGISTRY", "run", "config", "config_toml", "verdict", "plot", "load", "save", "export_result",
           "__version__"]


def __getattr__(name: str):
    if name == "__version__":
        from neqlab.io.provenance import version

        return version()
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'neqlab' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
