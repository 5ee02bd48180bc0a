"""The experiments: one module per claim of the essay, gathered in :data:`REGISTRY`.

>>> "macrostates" in REGISTRY
True
"""

from __future__ import annotations

import importlib
from types import ModuleType

from neqlab.experiments._base import Verdict, config_of

# name -> module path; order is the essay's order (used by `neqlab list` and the report)
_MODULES = {
    "relaxation": "neqlab.experiments.relaxation",
    "macrostates": "neqlab.experiments.macrostates",
    "loschmidt": "neqlab.experiments.loschmidt",
    "crooks": "neqlab.experiments.crooks",
    "liouville": "neqlab.experiments.liouville",
    "coarse_graining": "neqlab.experiments.coarse_graining",
}


def _load_all() -> dict[str, ModuleType]:
    return {name: importlib.import_module(path) for name, path in _MODULES.items()}


REGISTRY: dict[str, ModuleType] = _load_all()

__all__ = ["REGISTRY", "Verdict", "config_of"]
