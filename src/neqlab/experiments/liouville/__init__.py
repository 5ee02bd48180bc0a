"""Experiment ``liouville`` (essay §4): phase volume and the fine-grained Gibbs entropy.

A region of phase space is followed under symplectic maps (cat, standard), a
dissipative map (Henon, |det J| = b) and two Hamiltonian flows (pendulum, harmonic
oscillator) integrated with symplectic (leapfrog, yoshida4) and non-symplectic (rk4,
explicit euler) integrators: its boundary's area and its cloud's Gibbs entropy stay
constant under symplectic dynamics, and change exactly as the one-step Jacobian
determinant says otherwise.

The package's modules, in import order: config, tasks, schema, run, verdict, plot.
"""

from neqlab.experiments._lazy import lazy_exports
from neqlab.experiments.liouville.config import CLAIM, NAME, SCALES, SECTION, SMALL, Config

__getattr__, __dir__ = lazy_exports(__name__, CLAIM, NAME, SCALES, SECTION, SMALL, Config)
__all__ = ["CLAIM", "NAME", "SCALES", "SECTION", "SMALL", "Config", "run", "tasks_for", "verdict", "plot", "SCHEMA"]
