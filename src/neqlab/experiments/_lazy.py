"""The lazy face of an experiment package: config names now, the rest on first use."""

from __future__ import annotations

import importlib

# name -> module of the package that defines it
LAZY = {"run": "run", "tasks_for": "run", "estimate": "run", "verdict": "verdict", "plot": "plot",
        "SCHEMA": "schema", "assemble": "schema"}


def lazy_exports(package: str, *eager):
    """``(__getattr__, __dir__)`` for an experiment package's ``__init__``."""

    def __getattr__(name: str):
        if name in LAZY:
            return getattr(importlib.import_module(f"{package}.{LAZY[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted(["CLAIM", "NAME", "SCALES", "SECTION", "SMALL", "Config", *LAZY])

    return __getattr__, __dir__
