"""neqlab: a fast laboratory for nonequilibrium statistical mechanics.

Every claim of the essay is an experiment that runs, measures, plots and gives a
verdict::

    import neqlab
    ds = neqlab.run("macrostates", seed=0, n_particles=100)
    print(neqlab.verdict(ds).badge)
"""

from __future__ import annotations

from neqlab.experiments import REGISTRY
from neqlab.experiments.api import plot, run, verdict
from neqlab.io.provenance import version
from neqlab.io.store import load, save

__version__ = version()
__all__ = ["REGISTRY", "run", "verdict", "plot", "load", "save", "__version__"]
