"""Experiment ``crooks`` (essay §3): fluctuation theorems for systems in a heat bath.

A system in a heat bath starts in equilibrium and is driven by a protocol lambda(t);
the reverse process starts in equilibrium at the final lambda and runs the protocol
backwards. Crooks: P_F(W)/P_R(-W) = exp[(W - dF)/kT], i.e. the total entropy change
w = (W - dF)/kT obeys P_F(w)/P_R(-w) = e^w. Five systems, each a sub-claim of the verdict:

* a Brownian particle in a dragged or reshaped trap: the slope (1) and crossing (dF) of
  ln[P_F/P_R], and dF by Jarzynski/EXP, BAR and MBAR against the exact value;
* the same trap at several driving speeds: BAR stays right while EXP degrades;
* the essay's piston: ideal gases of N particles compressed L -> L/2 with a thermal
  wall; the typical entropy change grows with N and its negative tail vanishes;
* an interacting 2D WCA gas in a box with thermal walls compressed by a piston;
* the trap oscillating periodically: the steady-state theorem.

The package's modules, in import order: config, tasks, schema, run, verdict, plot.
"""

from neqlab.experiments._lazy import lazy_exports
from neqlab.experiments.crooks.config import CLAIM, NAME, SCALES, SECTION, SMALL, Config

__getattr__, __dir__ = lazy_exports(__name__, CLAIM, NAME, SCALES, SECTION, SMALL, Config)
__all__ = ["CLAIM", "NAME", "SCALES", "SECTION", "SMALL", "Config", "run", "tasks_for", "verdict", "plot", "SCHEMA"]
