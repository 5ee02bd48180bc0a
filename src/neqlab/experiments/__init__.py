"""The experiments: one package per claim of the essay, gathered in :data:`REGISTRY`.

Every experiment is a package ``neqlab.experiments.NAME`` with the same modules, each
importing only the ones before it::

    config.py   NAME, SECTION, CLAIM, Config, SMALL, SCALES   (light: no NumPy)
    tasks.py    a frozen dataclass per kind of work item + the function that runs it
    run.py      tasks_for(config), run(config, *, runner=None) -> Dataset
    schema.py   SCHEMA: coords, data variables and attrs with units; assemble
    verdict.py  verdict(ds, lang="en") -> Verdict   (reads only the dataset)
    plot.py     plot(ds) -> Figure                  (reads only the dataset)

:data:`REGISTRY` maps a name to an :class:`Experiment`, a lazy handle: its metadata
come from ``config.py`` alone (so ``neqlab list`` and a rejected bad input import
neither NumPy nor xarray), and ``run``, ``verdict``, ``plot`` and ``schema`` import their
module on first use.

>>> "macrostates" in REGISTRY
True
>>> REGISTRY["macrostates"].SECTION.startswith("§2.2")
True
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator, Mapping
from typing import Any

# the essay's order (used by `neqlab list` and the report)
NAMES = ("relaxation", "macrostates", "loschmidt", "crooks", "steady_state", "liouville", "coarse_graining")
_CONFIG_NAMES = ("NAME", "SECTION", "CLAIM", "Config", "SMALL", "SCALES")


class Experiment:
    """A lazy handle on the package ``neqlab.experiments.<name>``."""

    def __init__(self, name: str):
        self.name = name
        self._package: bool | None = None

    def __repr__(self) -> str:
        return f"Experiment({self.name!r})"

    @property
    def is_package(self) -> bool:
        if self._package is None:
            spec = importlib.util.find_spec(f"neqlab.experiments.{self.name}")
            self._package = bool(spec and spec.submodule_search_locations)
        return self._package

    def module(self, part: str):
        """The module ``part`` (config, tasks, run, schema, verdict, plot) of the experiment."""
        if not self.is_package:  # TRANSITIONAL: a flat module not yet converted
            return importlib.import_module(f"neqlab.experiments.{self.name}")
        return importlib.import_module(f"neqlab.experiments.{self.name}.{part}")

    def __getattr__(self, attr: str) -> Any:
        if attr in _CONFIG_NAMES:
            return getattr(self.module("config"), attr)
        raise AttributeError(f"{self!r} has no attribute {attr!r}")

    def run(self, config, *, runner=None):
        """Run on a ready Config; the result carries its config and provenance."""
        return self.module("run").run(config, runner=runner)

    def tasks_for(self, config):
        return self.module("run").tasks_for(config)

    def verdict(self, ds, lang: str = "en"):
        mod = self.module("verdict")
        return mod.verdict(ds, lang=lang) if self.is_package else mod.verdict(ds)

    def plot(self, ds):
        return self.module("plot").plot(ds)

    @property
    def schema(self):
        return self.module("schema").SCHEMA


class _Registry(Mapping[str, Experiment]):
    def __init__(self, names):
        self._items = {n: Experiment(n) for n in names}

    def __getitem__(self, name: str) -> Experiment:
        return self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


REGISTRY: Mapping[str, Experiment] = _Registry(NAMES)

__all__ = ["NAMES", "REGISTRY", "Experiment"]
