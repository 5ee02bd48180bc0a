"""Local-equilibrium entropy in a free expansion and after a velocity reversal: slow.

1. How close to isentropic the early expansion is. 20000 particles (2D WCA, mean density
   0.3, kT = 1) equilibrated in the left half of a 58 x 1155 box (walls in x, periodic
   in y) and released; slabs along x whose edges include the gas's initial edge; six
   independent replicas (seeds 0-5). Per window, the change per particle of S_hydro, of
   its positional part (configurational + excess) and of its thermal part, mean +- the
   standard error of the replicas. The uncompensated fraction dS_hydro / dS_positional is
   0 for an isentropic (reversible) expansion and 1 if nothing cooled. Printed for the
   report; asserted only: over the first tau the positional part rises and the thermal
   part falls, by more than 4 standard errors each.
2. The flow memory. 2500 particles as in the loschmidt experiment (square box, walls in
   x, local density 0.6), released, every velocity reversed when the left-half fraction
   first drops below 0.85, the positions kicked by 1e-3 sigma rms (the microstate is lost
   within a few tau), run back as long. The reversed gas still carries the macroscopic
   inward flow: the position entropy falls back most of the way (more than half of its
   rise undone), while S_hydro, which does not count a flow as order, never falls by more
   than 4 of its stated errors below its value at the reversal.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from neqlab.core.rng import Stream, replica_rng
from neqlab.models.gas import Params, State, advance, confined_gas, reverse
from neqlab.observables.entropy import half_fraction, spatial_entropy
from neqlab.observables.hydro import hydro_entropy

pytestmark = pytest.mark.slow

TIMES = (0.0, 0.5, 1.0, 2.0, 4.0)
SLABS = (58, 30, 14)  # widths 1.0, 1.9, 4.1 sigma; even, so the gas's edge at L/2 is a slab edge


def _replica(seed):
    p = Params(dt=0.002)
    s = confined_gas(20000, 0.3, 1.0, 2, fill=0.5, seed=seed, aspect=(0.05, 1.0), periodic=(False, True),
                     t_eq=5.0, params=p)
    out = []  # [time][slabs][flow] -> (total, positional, thermal) per particle
    for t in TIMES:
        if t > s.time:
            s = advance(s, p, int(round((t - s.time) / p.dt)))
        row = []
        for nx in SLABS:
            for flow in ("uniform", "linear"):
                h = hydro_entropy(s.positions, s.velocities, s.box, (nx, 1), flow=flow)
                row.append(np.array([h.total, h.configurational + h.excess, h.thermal]) / h.n_counted)
        out.append(row)
    return np.array(out)  # (times, slabs * flows, 3)


def test_early_expansion_isentropic_fraction():
    data = np.array([_replica(seed) for seed in range(6)])  # (replica, times, cases, 3)
    cases = [(nx, f) for nx in SLABS for f in ("uniform", "linear")]
    windows = [(0, 1), (0, 2), (2, 3), (3, 4)]
    print()
    for c, (nx, flow) in enumerate(cases):
        for a, b in windows:
            d = data[:, b, c, :] - data[:, a, c, :]
            m, se = d.mean(0), d.std(0, ddof=1) / math.sqrt(d.shape[0])
            frac = d[:, 0].mean() / d[:, 1].mean()
            print(f"slab {58 / nx * 0.995:.1f} sigma, {flow:7s} t {TIMES[a]:.1f}-{TIMES[b]:.1f}: "
                  f"dS {m[0]:+.4f}+-{se[0]:.4f}  positional {m[1]:+.4f}+-{se[1]:.4f}  "
                  f"thermal {m[2]:+.4f}+-{se[2]:.4f}  uncompensated {frac:.2f}")
        d = data[:, 2, c, :] - data[:, 0, c, :]  # first tau
        se = d.std(0, ddof=1) / math.sqrt(d.shape[0])
        assert d[:, 1].mean() > 4 * se[1] and d[:, 2].mean() < -4 * se[2]


def test_flow_memory_position_entropy_falls_back_hydro_entropy_does_not():
    p = Params(dt=0.002)
    s = confined_gas(2500, 0.3, 1.0, 2, fill=0.5, seed=0, periodic=(False, True), t_eq=10.0, params=p)
    cells = 8

    def obs(st):
        h = hydro_entropy(st.positions, st.velocities, st.box, cells)
        return h.per_particle, h.per_particle_err, spatial_entropy(st.positions, st.box, cells, miller_madow=True)

    rec = [obs(s)]
    while half_fraction(s.positions, s.box) >= 0.85:
        s = advance(s, p, 250)
        rec.append(obs(s))
    k = len(rec) - 1
    b = reverse(s)
    x = b.positions + 1e-3 / math.sqrt(2) * replica_rng(0, 0, stream=Stream.TESTING).normal(size=b.positions.shape)
    x[:, 1] %= b.box[1]
    x[:, 0] = np.abs(x[:, 0])
    x[:, 0] = np.where(x[:, 0] > b.box[0], 2 * b.box[0] - x[:, 0], x[:, 0])
    b = State(x, b.velocities, b.box, b.periodic, b.time, b.step)
    for _ in range(k):
        b = advance(b, p, 250)
        rec.append(obs(b))
    sh, sh_err, sx = (np.array(c) for c in zip(*rec))
    undone_x = (sx[k] - sx[-1]) / (sx[k] - sx[0])
    fall_h = sh[k] - sh[k:].min()
    print(f"\nt_r = {s.time:.2f} tau: S_position rise {sx[k] - sx[0]:+.4f}, undone {100 * undone_x:.0f} %; "
          f"S_hydro rise {sh[k] - sh[0]:+.4f}, end {sh[-1] - sh[k]:+.4f} from t_r, largest fall "
          f"{fall_h:.4f} (stated error {sh_err[k]:.4f})")
    assert undone_x > 0.5
    assert fall_h < 4 * sh_err[k]
