"""The interacting-gas piston of ``crooks``: a 2D WCA gas in a heat bath compressed L -> L/2.

The box has thermal walls (:class:`neqlab.models.gas.ThermalWalls`: a particle that hits
one leaves with a velocity drawn from the bath temperature) except the piston, the upper
wall of axis 0, which reflects elastically in its own frame and does work on the gas.
Each replica (1) places N particles uniformly without close contacts in the box (axis 0
of length L, or L/2 for the reverse process, axis 1 of width N/(rho L)) with Maxwell
velocities, (2) relaxes for ``t_eq`` [time] with every wall thermal, the canonical
state at kT being the stationary state of that dynamics, and (3) is driven by the
piston along a ramp L -> L/2 (forward) or L/2 -> L (reverse, ``Ramp.reversed()``)
with the other walls still thermal, recording the work W done on the gas and the heat
Q it gives to the walls. All random numbers come from the replica's own streams
(``replica_rng`` for the start, ``replica_keys`` for the walls): bitwise reproducible
for any worker count.

Reference: dF = N kT ln 2 for the ideal gas; to second order in the density, the
second virial term of the WCA pair *in the walled box* (:func:`box_pair_excess`). The
bulk form (N - 1) kT B2 rho overestimates it by 35-50 % here: a particle within a
diameter of a wall has part of its excluded area outside the box, and in a box 2.5
wide that is most particles.
"""

from __future__ import annotations

import dataclasses
import math
from functools import partial

import numpy as np

from neqlab.core.errors import ConfigError
from neqlab.core.protocol import Ramp
from neqlab.core.rng import Stream, replica_keys, replica_rng
from neqlab.models.gas import Params, State, ThermalWalls, advance, potential_energy
from neqlab.observables import fluctuation as fl

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


def canonical_state(n, density, length, kT, *, compressed, t_eq, params, seed, replica, stream):
    """A canonical sample at kT of the box (L or L/2) x width: random start relaxed by thermal walls."""
    rng = replica_rng(seed, int(replica), stream)
    lx, ly = box_of(n, density, length)
    if compressed:
        lx *= 0.5
    s = State(_place(n, lx, ly, rng), rng.normal(0.0, math.sqrt(kT), size=(n, 2)), np.array([lx, ly]),
              (False, False))
    s = advance(s, params, max(0, int(round(t_eq / params.dt))), bath=_walls(kT, seed, replica, stream))
    return dataclasses.replace(s, time=0.0, work=0.0, heat=0.0)


def _walls(kT, seed, replica, stream) -> ThermalWalls:
    return ThermalWalls(kT, int(replica_keys(seed, [int(replica)], stream)[0]))


def energy(state: State, params: Params) -> float:
    """Kinetic plus potential energy [energy]."""
    return 0.5 * float(np.sum(state.velocities.astype(np.float64) ** 2)) + potential_energy(state, params)


def gas_piston_task(replicas, seed, *, n, density, length, kT, t_drive, t_eq, dt, forward, stream):
    """Work W and heat Q [energy] of piston drives in the heat bath, and the energy change dE.

    First law per drive: dE = W - Q up to the integrator's error.
    """
    params = Params(dt=dt)
    ramp = Ramp(length, 0.5 * length, t_drive)
    proto = ramp if forward else ramp.reversed()
    n_steps = max(1, int(round(t_drive / dt)))
    out = {k: np.empty(len(replicas)) for k in ("work", "heat", "energy_change")}
    for i, r in enumerate(replicas):
        s0 = canonical_state(n, density, length, kT, compressed=not forward, t_eq=t_eq, params=params,
                             seed=seed, replica=r, stream=stream)
        s1 = advance(s0, params, n_steps, piston=proto, bath=_walls(kT, seed, r, stream))
        out["work"][i], out["heat"][i] = s1.work, s1.heat
        out["energy_change"][i] = energy(s1, params) - energy(s0, params)
    return out


def _wca_moments(kT: float) -> tuple[float, float, float]:
    """Moments of the Mayer function g(r) = 1 - exp(-u(r)/kT) of the 2D WCA pair:
    (int g d^2s, int g |s_x| d^2s, int g |s_x s_y| d^2s) = (2 pi int g r dr,
    4 int g r^2 dr, 2 int g r^3 dr), by the trapezoid rule on 20001 points (g = 1 below
    r = 1e-3, where u/kT > 1e30)."""
    rc = 2.0 ** (1.0 / 6.0)
    r = np.linspace(1e-3, rc, 20001)
    u = 4.0 * (r**-12 - r**-6) + 1.0
    g = 1.0 - np.exp(-u / kT)

    def trap(y):
        return float(np.sum(0.5 * (y[1:] + y[:-1]) * np.diff(r)))

    a = 1e-3
    return (2.0 * np.pi * (trap(g * r) + a**2 / 2), 4.0 * (trap(g * r**2) + a**3 / 3),
            2.0 * (trap(g * r**3) + a**4 / 4))


def wca_b2(kT: float) -> float:
    """Second virial coefficient [length^2] of the 2D WCA pair at kT: (1/2) int (1 - e^{-u/kT}) 2 pi r dr."""
    return 0.5 * _wca_moments(kT)[0]


def box_pair_excess(n: int, lx: float, ly: float, kT: float) -> float:
    """Excess free energy [energy] of N WCA disks in a walled lx x ly box, second order in density.

    F_ex = kT N(N-1)/2 I / A^2 with I = int_box int_box g(|r1 - r2|) dr1 dr2
    = lx ly G0 - (lx + ly) G1 + G2 (exact for a rectangle wider than the cutoff), the
    G_k the moments of :func:`_wca_moments`. For a large box I -> 2 B2 A, the bulk
    second virial term; the lx + ly term is the missing excluded area at the walls.
    """
    rc = 2.0 ** (1.0 / 6.0)
    if min(lx, ly) < rc:
        raise ConfigError(f"box sides must be at least the WCA cutoff {rc:.4f} [length] for the pair excess, "
                          f"got {lx:.4g} x {ly:.4g}")
    g0, g1, g2 = _wca_moments(kT)
    area = lx * ly
    return kT * 0.5 * n * (n - 1) * (area * g0 - (lx + ly) * g1 + g2) / area**2


def reference_delta_f(n: int, density: float, length: float, kT: float) -> tuple[float, float]:
    """(ideal N kT ln 2, ideal + the box's second-virial excess change) for L -> L/2 [energy]."""
    ideal = n * kT * math.log(2.0)
    lx, ly = box_of(n, density, length)
    return ideal, ideal + box_pair_excess(n, 0.5 * lx, ly, kT) - box_pair_excess(n, lx, ly, kT)


def gas_piston_part(runner, cfg):
    """Forward and reverse work ensembles per (density, N) and their fluctuation-theorem analysis."""
    dens, sizes, reps = cfg.gas_piston_density, cfg.gas_piston_n, cfg.gas_piston_replicas
    shape = (len(dens), len(sizes))
    work = np.empty((2,) + shape + (reps,))
    heat, de = np.empty_like(work), np.empty_like(work)
    for a, rho in enumerate(dens):
        for b, n in enumerate(sizes):
            for d, label in enumerate(("forward", "reverse")):
                task = partial(gas_piston_task, n=n, density=rho, length=cfg.gas_piston_length, kT=cfg.kT,
                               t_drive=cfg.gas_piston_t_drive, t_eq=cfg.gas_piston_t_eq,
                               dt=cfg.gas_piston_dt, forward=(d == 0),
                               stream=(Stream.CROOKS_GAS, 2 * a + d))
                out = runner.ensemble(task, reps, seed=cfg.seed, name=f"crooks_gas_{label}",
                                      key=f"{cfg.to_json()}|gas|{rho}|{n}|{label}")
                work[d, a, b], heat[d, a, b], de[d, a, b] = out["work"], out["heat"], out["energy_change"]
    keys = ("exp", "exp_err", "exp_reverse", "exp_reverse_err", "bar", "bar_err", "slope", "slope_err",
            "crossing", "crossing_err", "ideal", "virial", "w_mean", "w_sd", "p_negative")
    st = {k: np.full(shape, np.nan) for k in keys}
    for a, rho in enumerate(dens):
        for b, n in enumerate(sizes):
            wf, wr = work[0, a, b], work[1, a, b]
            st["ideal"][a, b], st["virial"][a, b] = reference_delta_f(n, rho, cfg.gas_piston_length, cfg.kT)
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
    return work, heat, de, st
