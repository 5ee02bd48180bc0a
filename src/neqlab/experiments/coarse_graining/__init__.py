"""Experiment ``coarse_graining`` (essay §4): why the coarse-grained entropy grows.

A small square region of a chaotic map (the cat map by default: uniformly hyperbolic, so
its Kolmogorov-Sinai entropy ln((3 + sqrt 5)/2) is the acceptance reference) is followed
as a cloud of points and as a refined boundary. Phase space is cut into cells of side
``cell_size``; S_cg(t) = ln(number of touched cells) and -sum p ln p over occupancies.
Three sub-claims are judged separately:

* ``ks_rate``: in the linear stage S_cg grows at the KS entropy (Benettin), |z| < 4;
* ``integrable_slow``: under the integrable shear (standard map, K = 0) it grows at less
  than half that rate;
* ``monotonic``: the essay's "the coarse-grained volume increases monotonically" — every
  fall of ln(touched cells) is looked for: in the forward runs during growth, under exact
  reversal (the cat map on dyadic points is bit-exact) and on a finite 2^b lattice,
  where the cat map is a permutation and recurs exactly (period 3 * 2^(b-2)).

The package's modules, in import order: config, tasks, schema, run, verdict, plot.
"""

from neqlab.experiments._lazy import lazy_exports
from neqlab.experiments.coarse_graining.config import CLAIM, NAME, SCALES, SECTION, SMALL, Config

__getattr__, __dir__ = lazy_exports(__name__, CLAIM, NAME, SCALES, SECTION, SMALL, Config)
__all__ = ["CLAIM", "NAME", "SCALES", "SECTION", "SMALL", "Config", "run", "tasks_for", "verdict", "plot", "SCHEMA"]
