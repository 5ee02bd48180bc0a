"""Experiment ``macrostates`` (essay §2.2): equal a priori probabilities.

Three exactly solvable models, each measured against its exact result:

* counting: N particles in two halves, Omega(n) = C(N, n); the probability
  concentrates on n = N/2 with relative width N^-1/2;
* the Ehrenfest urn (a stochastic walk among microstates) relaxes to the binomial
  macrostate law as E[n_t] - N/2 = (1 - 2/N)^t (n_0 - N/2), and returns to its initial
  state after 2^N steps on average (Kac's lemma);
* the Kac ring (deterministic, reversible) shows an H-theorem-like decay of the
  ensemble mean (1 - 2 mu)^t, yet every ring recurs exactly after n_sites or
  2 n_sites steps and runs back exactly when reversed.

The package's modules, in import order: config, tasks, schema, run, verdict, plot.
"""

from neqlab.experiments._lazy import lazy_exports
from neqlab.experiments.macrostates.config import CLAIM, NAME, SCALES, SECTION, SMALL, Config

__getattr__, __dir__ = lazy_exports(__name__, CLAIM, NAME, SCALES, SECTION, SMALL, Config)
__all__ = ["CLAIM", "NAME", "SCALES", "SECTION", "SMALL", "Config", "run", "tasks_for", "verdict", "plot", "SCHEMA"]
