"""Experiment ``loschmidt`` (essay §2.3): velocity reversal; why 2500 particles go back and 20000 do not.

Two gases, ``n_particles`` and ``n_particles_large``, at the same density, each run under
two protocols and reversed at time t_r:

* ``expansion``: the gas fills the first ``fill`` of the box (equilibrated behind a
  wall), is released, and every velocity is reversed when the left-half fraction first
  drops below ``f_left_reverse`` (the same macroscopic stage in both boxes, hence a
  longer t_r for the larger box) or at ``t_reverse``; watched through the
  coarse-grained position entropy (``n_cells`` per axis, Miller-Madow corrected);
* ``velocity``: a uniform gas whose particles all have the same speed (Orban &
  Bellemans 1967), reversed at the same t_r as the expansion of its size; watched
  through the velocity entropy -H (Miller-Madow corrected).

The same expansions on the bit-reversible integrator are the control. The microscopic
return error is recorded against backward time; lambda_max of the gas (two copies)
and the fitted error growth give lambda t_r against ln(sigma/eps_eff). A phase map
sweeps N (2D and 3D), t_r, precision and eps.

The package's modules, in import order: config, tasks, schema, run, verdict, plot.
"""

from neqlab.experiments._lazy import lazy_exports
from neqlab.experiments.loschmidt.config import CLAIM, NAME, SCALES, SECTION, SMALL, Config

__getattr__, __dir__ = lazy_exports(__name__, CLAIM, NAME, SCALES, SECTION, SMALL, Config)
__all__ = ["CLAIM", "NAME", "SCALES", "SECTION", "SMALL", "Config", "run", "tasks_for", "verdict", "plot", "SCHEMA"]
