"""The ``crooks`` dataset: coordinates, data variables and attributes with units.

Grouped by system (reduced units: sigma, tau, epsilon; k_B = 1, so an entropy w is in k_B
and W/kT is a number):

* the trap (``work``, ``heat`` on (direction, replica); the Crooks fit on ``crooks_bin``;
  Jarzynski on ``sample_size``; dF by four estimators as scalars);
* the speed sweep (``sweep_*`` on (speed, estimator));
* the ideal-gas piston (``piston_*`` on n_particles, histograms on ``piston_bin``);
* the steady state (``ness_*`` on the window length ``tau``);
* the interacting-gas piston (``gas_piston_*`` on (gas_density, n_gas), per drive on
  (direction, gas_density, n_gas, gas_replica)).

The driving parameter lambda has the unit of its model (the trap centre [sigma] for the
default dragged trap; stiffness [epsilon sigma^-2]; tilt [epsilon sigma^-1]): ``speed``
is declared in sigma/tau, the default model's unit.
"""

from __future__ import annotations

import numpy as np

from neqlab.experiments.crooks.tasks import METHODS
from neqlab.io.schema import Schema, Var

_DG = ("gas_density", "n_gas")
_E = "epsilon"


def _pair(dims, units, name):
    """A value and its standard error."""
    return {"": Var(dims, units, name), "_err": Var(dims, units, f"standard error of the {name}")}


def _vars(prefix: str, table: dict) -> dict:
    out = {}
    for key, spec in table.items():
        if isinstance(spec, dict):
            out.update({f"{prefix}{key}{tail}": v for tail, v in spec.items()})
        else:
            out[f"{prefix}{key}"] = spec
    return out


TRAP = {
    "work": Var(("direction", "replica"), _E, "work W done on the particle (including BAOAB's shadow work)"),
    "heat": Var(("direction", "replica"), _E, "heat Q given to the bath"),
    "mean_work": Var(("direction",), _E, "mean work <W>"),
    "mean_entropy_production": Var(("direction",), "k_B",
                                   "mean total entropy change <w> = <W - dF>/kT (reverse: dF -> -dF)"),
    "crooks_x": Var(("crooks_bin",), "1", "W/kT of each point of the Crooks fit"),
    "crooks_log_ratio": Var(("crooks_bin",), "1", "ln[P_F(W)/P_R(-W)]"),
    "crooks_log_ratio_err": Var(("crooks_bin",), "1", "standard error of ln[P_F(W)/P_R(-W)] (binomial)"),
    "crooks_slope": _pair((), "1", "slope of ln[P_F(W)/P_R(-W)] against W/kT (Crooks: 1)"),
    "crooks_crossing": _pair((), _E, "work at which P_F(W) = P_R(-W) (Crooks: dF)"),
    "crooks_chi2": Var((), "1", "chi-square of the weighted Crooks line"),
    "crooks_dof": Var((), "1", "degrees of freedom of the Crooks line (points - 2)", "int"),
    "jarzynski": _pair((), "1", "<exp(-(W - dF)/kT)> (Jarzynski: 1)"),
    "jarzynski_estimate": Var(("sample_size",), _E, "mean of -kT ln<exp(-W/kT)>_n over blocks of n trajectories"),
    "jarzynski_estimate_sd": Var(("sample_size",), _E, "spread (standard deviation) of the block estimates"),
    "delta_f_exp_forward": _pair((), _E, "dF by EXP (Jarzynski) on the forward work"),
    "delta_f_exp_reverse": _pair((), _E, "dF by EXP on the reverse work"),
    "delta_f_bar": _pair((), _E, "dF by Bennett's acceptance ratio (BAR)"),
    "delta_f_mbar": _pair((), _E, "dF by MBAR on the two path ensembles"),
}
SWEEP = {
    "sweep_delta_f": Var(("speed", "estimator"), _E, "dF estimate at each driving speed"),
    "sweep_delta_f_err": Var(("speed", "estimator"), _E, "standard error of the dF estimate (pymbar)"),
    "sweep_dissipation": Var(("speed",), _E, "mean dissipated work <W> - dF of the forward drives"),
}
PISTON = _vars("piston_", {
    "w_mean": Var(("n_particles",), "k_B", "mean entropy change w = (W - dF)/kT of a compression"),
    "w_sd": Var(("n_particles",), "k_B", "standard deviation of the entropy change w"),
    "p_negative": Var(("n_particles",), "1", "fraction of compressions with w < 0 (entropy decrease)"),
    "delta_f_exp": _pair(("n_particles",), _E, "dF by EXP (Jarzynski) on the compressions"),
    "delta_f_bar": _pair(("n_particles",), _E, "dF by BAR"),
    "delta_f_exact": Var(("n_particles",), _E, "exact dF = N kT ln 2"),
    "crooks_slope": _pair(("n_particles",), "1", "slope of ln[P_F(W)/P_R(-W)] against W/kT (NaN: no overlap)"),
    "jarzynski": _pair(("n_particles",), "1", "<exp(-W/kT)> of the compressions"),
    "jarzynski_exact": Var(("n_particles",), "1", "exact <exp(-W/kT)> = 2^-N"),
    "n_gases": Var(("n_particles",), "1", "gases of N particles (each way)", "int"),
    "w_center": Var(("n_particles", "piston_bin"), "k_B", "centre of a histogram bin of w"),
    "w_density": Var(("n_particles", "piston_bin"), "k_B^-1", "probability density of w"),
})
NESS = _vars("ness_", {
    "slope": _pair(("tau",), "1", "slope of ln[P(a)/P(-a)] for a = W_tau/kT"),
    "slope_exact": Var(("tau",), "1", "exact slope for W_tau/kT (Gaussian work of the discretised chain)"),
    "mean": Var(("tau",), "1", "mean of W_tau/kT"),
    "entropy_slope": _pair(("tau",), "1", "slope of ln[P(a)/P(-a)] for Seifert's total entropy production"),
    "ift": _pair(("tau",), "1", "<exp(-s_tot)> (integral fluctuation theorem: 1)"),
})
GAS = _vars("gas_piston_", {
    "work": Var(("direction", *_DG, "gas_replica"), _E, "work W of the piston on the gas"),
    "heat": Var(("direction", *_DG, "gas_replica"), _E, "heat Q given to the thermal walls"),
    "first_law_error": Var(("direction", *_DG, "gas_replica"), _E, "W - Q - dE of each drive (integrator error)"),
    "delta_f_exp": _pair(_DG, _E, "dF by EXP on the compressions"),
    "delta_f_exp_reverse": _pair(_DG, _E, "dF by EXP on the expansions"),
    "delta_f_bar": _pair(_DG, _E, "dF by BAR"),
    "crooks_slope": _pair(_DG, "1", "slope of ln[P_F(W)/P_R(-W)] against W/kT (NaN: no overlap)"),
    "crooks_crossing": _pair(_DG, _E, "work at which P_F(W) = P_R(-W) (NaN: no overlap)"),
    "delta_f_ideal": Var(_DG, _E, "ideal-gas dF = N kT ln 2"),
    "delta_f_virial": Var(_DG, _E, "dF to second order in the density, WCA pair in the walled box"),
    "w_mean": Var(_DG, "k_B", "mean entropy production (W - dF_BAR)/kT of the compressions"),
    "w_sd": Var(_DG, "k_B", "standard deviation of the entropy production"),
    "p_negative": Var(_DG, "1", "fraction of compressions with W < dF_BAR (entropy decrease)"),
})

SCHEMA = Schema(
    "crooks",
    coords={
        "direction": Var(("direction",), "1", "forward (lambda_0 -> lambda_1) or reverse process", "str"),
        "replica": Var(("replica",), "1", "trajectory of the trap ensembles", "int"),
        "sample_size": Var(("sample_size",), "1", "trajectories n per Jarzynski block", "int"),
        "speed": Var(("speed",), "sigma tau^-1",
                     "driving speed |dlambda/dt| of the sweep (lambda in the model's unit)"),
        "estimator": Var(("estimator",), "1", "free-energy estimator", "str"),
        "n_particles": Var(("n_particles",), "1", "ideal piston gas size N", "int"),
        "tau": Var(("tau",), "tau", "steady-state window length"),
        "gas_density": Var(("gas_density",), "sigma^-2", "initial number density of the interacting gas"),
        "n_gas": Var(("n_gas",), "1", "interacting gas size N", "int"),
        "gas_replica": Var(("gas_replica",), "1", "drive of the interacting gas", "int"),
    },
    data_vars={**_vars("", TRAP), **SWEEP, **PISTON, **NESS, **GAS},
    attrs={
        "delta_f_exact": Var((), _E, "exact free-energy difference of the trap protocol"),
        "duration": Var((), "tau", "duration of the trap protocol"),
        "kT": Var((), _E, "bath temperature"),
        "mean_work_exact": Var((), _E, "exact <W> of the overdamped dragged trap (ramp)", optional=True),
        "var_work_exact": Var((), "epsilon^2", "exact Var W of the overdamped dragged trap (ramp)", optional=True),
    },
)


def assemble(config, *parts: dict):
    """The dataset of one run from the analyses' parts (``data``, ``coords``, ``attrs`` each)."""
    c = config
    data, coords, attrs = {}, {}, {}
    for p in parts:
        data.update(p.get("data", {}))
        coords.update(p.get("coords", {}))
        attrs.update(p.get("attrs", {}))
    coords.update({
        "direction": ["forward", "reverse"], "replica": np.arange(c.n_trajectories), "speed": np.array(c.speeds),
        "estimator": list(METHODS), "n_particles": np.array(c.n_particles, dtype=np.int64),
        "gas_density": np.array(c.gas_piston_density), "n_gas": np.array(c.gas_piston_n, dtype=np.int64),
        "gas_replica": np.arange(c.gas_piston_replicas),
    })
    return SCHEMA.assemble(data, coords=coords, attrs={k: float(v) for k, v in attrs.items()})
