"""Experiment ``steady_state`` (essay §3 and its footnote 6): the 1993 discovery and the oscillating piston.

* The sheared fluid of Evans, Cohen & Morriss (1993): a 2D WCA fluid under SLLOD shear
  with a Gaussian thermostat. Transient trajectories from equilibrium obey the
  Evans-Searles theorem exactly at every time; windows of the steady state obey the
  steady-state theorem with a slope that tends to 1 as the window grows; the phase
  volume contracts at the rate sum(lambda_i) = <Lambda>, the entropy the thermostat
  carries away (the dissipative counterpart of Liouville's theorem).
* The footnote's piston: a gas with thermal walls under a harmonically oscillating
  piston settles in a periodic steady state that dissipates at a steady rate; its
  entropy production over whole periods obeys the steady-state theorem, and a change of
  amplitude a1 -> a2 takes it from one steady state to another.

The package's modules, in import order: config, tasks, schema, run, verdict, plot.
"""

from neqlab.experiments._lazy import lazy_exports
from neqlab.experiments.steady_state.config import CLAIM, NAME, SCALES, SECTION, SMALL, Config

__getattr__, __dir__ = lazy_exports(__name__, CLAIM, NAME, SCALES, SECTION, SMALL, Config)
__all__ = ["CLAIM", "NAME", "SCALES", "SECTION", "SMALL", "Config", "run", "tasks_for", "verdict", "plot", "SCHEMA"]
