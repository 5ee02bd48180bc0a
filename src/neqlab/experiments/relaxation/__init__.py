"""Experiment ``relaxation`` (essay §1): an isolated gas left alone reaches equilibrium.

Two isolated WCA gases prepared out of equilibrium, run by velocity Verlet:

* free expansion: every particle equilibrated in the left fraction ``fill`` of the box,
  then released; the spatial coarse-grained entropy rises to ln(number of cells), the
  density profile flattens and the flow dies out;
* thermal contact: the left half at ``kT_hot``, the right half at ``kT_cold``; the two
  temperatures merge, Boltzmann's H falls to its Maxwell value, the temperature profile
  flattens;

and an N sweep of equilibrium gases whose relative fluctuations (kinetic energy, virial
pressure, left-half count) fall as N^-1/2.

The package's modules, in import order: config, tasks, schema, run, verdict, plot.
"""

from neqlab.experiments._lazy import lazy_exports
from neqlab.experiments.relaxation.config import CLAIM, NAME, SCALES, SECTION, SMALL, Config

__getattr__, __dir__ = lazy_exports(__name__, CLAIM, NAME, SCALES, SECTION, SMALL, Config)
__all__ = ["CLAIM", "NAME", "SCALES", "SECTION", "SMALL", "Config", "run", "tasks_for", "verdict", "plot", "SCHEMA"]
