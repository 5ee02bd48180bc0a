"""The interacting-gas piston of ``crooks``: a 2D WCA gas compressed L -> L/2 in isolation.

The particle engine has no thermal walls, so we use the route Jarzynski and Crooks
allow for Hamiltonian systems: the bath only *prepares* the canonical initial state,
and the driving is isolated. Each replica (1) places N particles uniformly without
close contacts in a walled box (axis 0 of length L or L/2, axis 1 of width
N/(rho L)), (2) samples the canonical ensemble at kT by Hamiltonian MD with a full
Maxwell-Boltzmann velocity resampling every ``resample`` [time] (an Andersen-type
thermostat that leaves exp(-H/kT) invariant), and (3) drives the isolated gas with the
piston (the upper wall of axis 0) along a ramp L -> L/2 (forward) or L/2 -> L (reverse,
``Ramp.reversed()``), recording the work done on the gas. All random numbers come from
``replica_rng(seed, replica, stream)``: bitwise reproducible for any worker count.

Reference: dF = N kT ln 2 for the ideal gas; with the second virial coefficient B2 of
the WCA pair at kT, dF ~ N kT ln 2 + (N - 1) kT B2 rho (valid at low density).
"""

from __future__ import annotations

import dataclasses
import math
from functools import partial

import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.core.protocol import Ramp
from neqlab.core.rng import replica_rng
from neqlab.models.gas import Params, State, advance, potential_energy
from neqlab.observables import fluctuation as fl

STREAM_GAS = 400  # + 2 * (density index) + direction
MIN_GAP = 1.0  # [length] closest initial distance (WCA diameter)


def box_of(n: int, density: float, length: float) -> tuple[float, float]:
    """(axis-0 length, width) [length] of the uncompressed box: area n / density."""
    return length, n / (density * length)


def _place(n: int, lx: float, ly: float, rng: np.random.Generator) -> np.ndarray:
    """Uniform positions in [0, lx) x [0, ly) with no pair closer than MIN_GAP (random
    sequential insertion; low-density start, the thermostatted MD then equilibrates)."""
    x = np.empty((n, 2))
    k = 0
    tries = 0
    while k < n:
        tries += 1
        if tries > 10_000 * n:
            raise ConfigError(f"gas_piston_density must leave room for {n} disks, got a box {lx:.3g} x {ly:.3g}")
        p = rng.uniform((0.0, 0.0), (lx, ly))
        if k and np.min(np.sum((x[:k] - p) ** 2, axis=1)) < MIN_GAP**2:
            continue
        x[k] = p
        k += 1
    return x


def canonical_state(n, density, length, kT, *, compressed, t_eq, resample, params, seed, replica, stream):
    """A canonical sample at kT of the box (L or L/2) x width, by MD with MB resampling."""
    rng = replica_rng(seed, int(replica), stream=stream)
    lx, ly = box_of(n, density, length)
    if compressed:
        lx *= 0.5
    s = State(_place(n, lx, ly, rng), np.zeros((n, 2)), np.array([lx, ly]), (False, False))
    k = max(1, int(round(resample / params.dt)))
    n_blocks = max(1, int(round(t_eq / (k * params.dt))))
    for _ in range(n_blocks):
        s.velocities[:] = rng.normal(0.0, math.sqrt(kT), size=(n, 2))
        s = advance(s, params, k)
    s.velocities[:] = rng.normal(0.0, math.sqrt(kT), size=(n, 2))  # the last draw starts the drive
    return dataclasses.replace(s, time=0.0, step=0, work=0.0)


def energy(state: State, params: Params) -> float:
    """Kinetic plus potential energy [energy]."""
    return 0.5 * float(np.sum(state.velocities.astype(np.float64) ** 2)) + potential_energy(state, params)


def gas_piston_task(replicas, seed, *, n, density, length, kT, t_drive, t_eq, resample, dt, forward, stream):
    """Work [energy] and energy change of isolated piston drives from canonical starts."""
    params = Params(dt=dt)
    ramp = Ramp(length, 0.5 * length, t_drive)
    proto = ramp if forward else ramp.reversed()
    n_steps = max(1, int(round(t_drive / dt)))
    work = np.empty(len(replicas))
    de = np.empty(len(replicas))
    for i, r in enumerate(replicas):
        s0 = canonical_state(n, density, length, kT, compressed=not forward, t_eq=t_eq, resample=resample,
                             params=params, seed=seed, replica=r, stream=stream)
        s1 = advance(s0, params, n_steps, piston=proto)
        work[i] = s1.work
        de[i] = energy(s1, params) - energy(s0, params)
    return {"work": work, "energy_change": de}


def wca_b2(kT: float) -> float:
    """Second virial coefficient [length^2] of the 2D WCA pair at kT: (1/2) int (1 - e^{-u/kT}) 2 pi r dr."""
    rc = 2.0 ** (1.0 / 6.0)
    r = np.linspace(1e-3, rc, 20001)
    u = 4.0 * (r**-12 - r**-6) + 1.0
    f = (1.0 - np.exp(-u / kT)) * np.pi * r
    return float(np.sum(0.5 * (f[1:] + f[:-1]) * np.diff(r)) + np.pi * 1e-6 / 2)


def reference_delta_f(n: int, density: float, kT: float) -> tuple[float, float]:
    """(ideal N kT ln 2, second-virial N kT ln 2 + (N - 1) kT B2 rho) for L -> L/2 [energy]."""
    ideal = n * kT * math.log(2.0)
    return ideal, ideal + (n - 1) * kT * wca_b2(kT) * density


def gas_piston_part(runner, cfg):
    """Forward and reverse work ensembles per (density, N) and their fluctuation-theorem analysis."""
    dens, sizes, reps = cfg.gas_piston_density, cfg.gas_piston_n, cfg.gas_piston_replicas
    shape = (len(dens), len(sizes))
    work = np.empty((2,) + shape + (reps,))
    de = np.empty_like(work)
    for a, rho in enumerate(dens):
        for b, n in enumerate(sizes):
            for d, label in enumerate(("forward", "reverse")):
                task = partial(gas_piston_task, n=n, density=rho, length=cfg.gas_piston_length, kT=cfg.kT,
                               t_drive=cfg.gas_piston_t_drive, t_eq=cfg.gas_piston_t_eq,
                               resample=cfg.gas_piston_resample, dt=cfg.gas_piston_dt, forward=(d == 0),
                               stream=STREAM_GAS + 2 * a + d)
                out = runner.ensemble(task, reps, seed=cfg.seed, name=f"crooks_gas_{label}",
                                      key=f"{cfg.to_json()}|gas|{rho}|{n}|{label}")
                work[d, a, b], de[d, a, b] = out["work"], out["energy_change"]
    keys = ("exp", "exp_err", "exp_reverse", "exp_reverse_err", "bar", "bar_err", "slope", "slope_err",
            "crossing", "crossing_err", "ideal", "virial", "w_mean", "w_sd", "p_negative")
    st = {k: np.full(shape, np.nan) for k in keys}
    for a, rho in enumerate(dens):
        for b, n in enumerate(sizes):
            wf, wr = work[0, a, b], work[1, a, b]
            st["ideal"][a, b], st["virial"][a, b] = reference_delta_f(n, rho, cfg.kT)
            res = fl.free_energy(wf, wr, cfg.kT, methods=("exp_forward", "exp_reverse", "bar"))
            st["exp"][a, b], st["exp_err"][a, b] = res["exp_forward"]
            st["exp_reverse"][a, b], st["exp_reverse_err"][a, b] = res["exp_reverse"]
            st["bar"][a, b], st["bar_err"][a, b] = res["bar"]
            w = (wf - st["bar"][a, b]) / cfg.kT  # entropy production with the BAR dF
            st["w_mean"][a, b], st["w_sd"][a, b] = w.mean(), w.std(ddof=1)
            st["p_negative"][a, b] = np.mean(w < 0)
            try:
                fit = fl.crooks_fit(wf, wr, cfg.kT, n_bins=15, min_count=10)
                st["slope"][a, b], st["slope_err"][a, b] = fit.slope, fit.slope_err
                st["crossing"][a, b], st["crossing_err"][a, b] = fit.crossing, fit.crossing_err
            except ConfigError:  # no overlap of P_F(W) and P_R(-W) at this N
                pass
    return work, de, st
