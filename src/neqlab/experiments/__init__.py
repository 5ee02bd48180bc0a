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
from collections.abc import Iterator, Mapping
from typing import Any

# the essay's order (used by `neqlab list` and the report)
NAMES = ("relaxation", "macrostates", "loschmidt", "crooks", "steady_state", "liouville", "coarse_graining")
_CONFIG_NAMES = ("NAME", "SECTION", "CLAIM", "Config", "SMALL", "SCALES")


class Experiment:
    """A lazy handle on the package ``neqlab.experiments.<name>``."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"Experiment({self.name!r})"

    def module(self, part: str):
        """The module ``part`` (config, tasks, run, schema, verdict, plot) of the experiment."""
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
        return self.module("verdict").verdict(ds, lang=lang)

    def plot(self, ds):
        return self.module("plot").plot(ds)

    @property
    def schema(self):
        """The schema of a result at this experiment's default config."""
        return self.module("schema").SCHEMA

    def schema_of(self, ds):
        """The schema ``ds`` must match: a schema module may make it depend on the stored
        config (``schema_for_config(config: dict)``, e.g. a density in sigma^-2 or sigma^-3)."""
        import json

        mod = self.module("schema")
        fn = getattr(mod, "schema_for_config", None)
        if fn is None:
            return mod.SCHEMA
        return fn(json.loads(ds.attrs["config"]))


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
