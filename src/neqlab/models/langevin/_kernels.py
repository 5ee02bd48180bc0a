"""Numba kernels for Langevin ensembles (never exported; see ``integrators.py``).

Noise: trajectory ``i`` owns the counter-based integer stream
``splitmix64(key_i + n * GOLDEN)``, n = 1, 2, ... (a splitmix64 sequence), so its
numbers depend only on its key, never on the thread or chunk that runs it. Normals
come from a 256-layer ziggurat (Marsaglia & Tsang 2000, NumPy's table layout) on
that stream: one 64-bit word per normal 99 % of the time.

Potential: separable polynomial per axis ``a`` with coefficients
``c[a] = (p4, k0, k1, h0, h1, e2)``:
``U_a(x, lam) = p4 x^4/4 + (k0 + k1 lam) x^2/2 - (h0 + h1 lam) x + e2 lam^2/2``,
``U = sum_a U_a`` (dragged trap, stiffness ramp, tilted or barrier double well).

Work and heat (Sekimoto, discretised): each step first changes lam at fixed x
(work ``U(x, lam') - U(x, lam)``), then moves x at fixed lam' (heat to the bath
``U(x, lam') - U(x', lam')`` overdamped; the O-step kinetic energy loss underdamped,
plus the shadow work of the deterministic B/A substeps reported on its own), so the
first law holds per trajectory up to round-off.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
INIT_SALT = np.uint64(0xD1B54A32D192ED03)  # separate stream for initial conditions

# ---- ziggurat tables (256 layers, 52-bit mantissa), computed once at import ------
_ZIG_R = 3.6541528853610088
_ZIG_V = 0.00492867323399


def _ziggurat_tables():
    m1 = 2.0**52
    dn = tn = _ZIG_R
    vn = _ZIG_V
    ki = np.zeros(256, dtype=np.uint64)
    wi = np.zeros(256)
    fi = np.zeros(256)
    q = vn / math.exp(-0.5 * dn * dn)
    ki[0] = np.uint64((dn / q) * m1)
    ki[1] = 0
    wi[0] = q / m1
    wi[255] = dn / m1
    fi[0] = 1.0
    fi[255] = math.exp(-0.5 * dn * dn)
    for i in range(254, 0, -1):
        dn = math.sqrt(-2.0 * math.log(vn / dn + math.exp(-0.5 * dn * dn)))
        ki[i + 1] = np.uint64((dn / tn) * m1)
        tn = dn
        fi[i] = math.exp(-0.5 * dn * dn)
        wi[i] = dn / m1
    return ki, wi, fi


ZIG_KI, ZIG_WI, ZIG_FI = _ziggurat_tables()


@njit(cache=True, inline="always")
def mix64(z):
    """splitmix64 finaliser (bijective)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True, inline="always")
def next_u64(state):
    """Advance a splitmix64 counter; return (new state, 64 random bits)."""
    state = state + GOLDEN
    return state, mix64(state)


@njit(cache=True, inline="always")
def next_double(state):
    state, z = next_u64(state)
    return state, (z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def _normal_slow(state, idx, rabs, x):
    """The ziggurat's rare branches (tail and wedges): about 1 % of draws."""
    while True:
        if idx == 0:
            while True:
                state, u1 = next_double(state)
                state, u2 = next_double(state)
                xx = -math.log1p(-u1) / _ZIG_R
                yy = -math.log1p(-u2)
                if yy + yy > xx * xx:
                    if (rabs >> np.uint64(8)) & np.uint64(1):
                        return state, -(_ZIG_R + xx)
                    return state, _ZIG_R + xx
        state, u = next_double(state)
        if (ZIG_FI[idx - 1] - ZIG_FI[idx]) * u + ZIG_FI[idx] < math.exp(-0.5 * x * x):
            return state, x
        state, r = next_u64(state)
        idx = np.int64(r & np.uint64(0xFF))
        r = r >> np.uint64(8)
        rabs = (r >> np.uint64(1)) & np.uint64(0x000FFFFFFFFFFFFF)
        x = rabs * ZIG_WI[idx]
        if r & np.uint64(1):
            x = -x
        if rabs < ZIG_KI[idx]:
            return state, x


@njit(cache=True, inline="always")
def next_normal(state):
    """Standard normal from the stream; returns (new state, value)."""
    state, r = next_u64(state)
    idx = np.int64(r & np.uint64(0xFF))
    r = r >> np.uint64(8)
    rabs = (r >> np.uint64(1)) & np.uint64(0x000FFFFFFFFFFFFF)
    x = rabs * ZIG_WI[idx]
    if r & np.uint64(1):
        x = -x
    if rabs < ZIG_KI[idx]:
        return state, x
    return _normal_slow(state, idx, rabs, x)


@njit(cache=True, nogil=True)
def fill_normals(keys, out):
    """out[i, j] = j-th normal of stream keys[i] (tests and the raw-rate benchmark)."""
    for i in range(keys.size):
        s = keys[i]
        for j in range(out.shape[1]):
            s, out[i, j] = next_normal(s)
    return 0


@njit(cache=True, nogil=True, parallel=True)
def sum_normals(keys, n):
    """Sum of n normals per stream, in parallel: the raw generator rate."""
    out = np.empty(keys.size)
    for i in prange(keys.size):
        s = keys[i]
        acc = 0.0
        for _ in range(n):
            s, z = next_normal(s)
            acc += z
        out[i] = acc
    return out


@njit(cache=True, nogil=True)
def init_uniforms(keys, n, out):
    """n uniforms per trajectory from its initial-condition stream (out: (M, n))."""
    for i in range(keys.size):
        s = mix64(keys[i] ^ INIT_SALT)
        for j in range(n):
            s, out[i, j] = next_double(s)
    return 0


@njit(cache=True, nogil=True)
def init_normals(keys, n, out):
    """n normals per trajectory from its initial-condition stream (out: (M, n))."""
    for i in range(keys.size):
        s = mix64(keys[i] ^ INIT_SALT) ^ np.uint64(0x5555555555555555)
        for j in range(n):
            s, out[i, j] = next_normal(s)
    return 0


@njit(cache=True, inline="always")
def energy(x, lam, c):
    """Potential of one coordinate vector x (length d) at lam; c: (d, 6)."""
    u = 0.0
    for a in range(x.size):
        xa = x[a]
        x2 = xa * xa
        u += (c[a, 0] * 0.25 * x2 * x2 + 0.5 * (c[a, 1] + c[a, 2] * lam) * x2
              - (c[a, 3] + c[a, 4] * lam) * xa + 0.5 * c[a, 5] * lam * lam)
    return u


@njit(cache=True, inline="always")
def energy1(xa, lam, c, a):
    x2 = xa * xa
    return (c[a, 0] * 0.25 * x2 * x2 + 0.5 * (c[a, 1] + c[a, 2] * lam) * x2
            - (c[a, 3] + c[a, 4] * lam) * xa + 0.5 * c[a, 5] * lam * lam)


@njit(cache=True, inline="always")
def force1(xa, lam, c, a):
    return -(c[a, 0] * xa * xa * xa + (c[a, 1] + c[a, 2] * lam) * xa - (c[a, 3] + c[a, 4] * lam))


@njit(cache=True, nogil=True)
def _overdamped_one(i, x, keys, c, lam, scal, rec_every, work, heat, rec):
    """Trajectory i of :func:`overdamped_run`; returns 1 if it left the finite range."""
    mob = scal[0] / scal[1]
    amp = math.sqrt(2.0 * scal[2] * scal[0] / scal[1])
    n = lam.size - 1
    d = x.shape[1]
    n_rec = rec.shape[1]
    s = keys[i]
    w = work[i]
    q = heat[i]
    bad = 0
    for r in range(n_rec):
        rec[i, r, 0] = w
        rec[i, r, 1] = q
    for a in range(d):  # axes are independent (separable U): one after the other
        xa = x[i, a]
        wa = 0.0
        qa = 0.0
        r = 0
        nxt = rec_every if (rec_every > 0 and n_rec > 0) else -1
        # U(x_t, lam_t) is the U(x', lam') of the step before: evaluated once (the same
        # arguments, the same bits), two potentials per step instead of three
        u_now = energy1(xa, lam[0], c, a)
        for t in range(n):
            u_mid = energy1(xa, lam[t + 1], c, a)
            wa += u_mid - u_now
            s, z = next_normal(s)
            xa = xa + mob * force1(xa, lam[t + 1], c, a) + amp * z
            u_now = energy1(xa, lam[t + 1], c, a)
            qa += u_mid - u_now
            if t + 1 == nxt:
                rec[i, r, 0] += wa
                rec[i, r, 1] += qa
                rec[i, r, 2 + a] = xa
                r += 1
                nxt = nxt + rec_every if r < n_rec else -1
        x[i, a] = xa
        w += wa
        q += qa
        if not math.isfinite(xa):
            bad = 1
    keys[i] = s
    work[i] = w
    heat[i] = q
    return bad


@njit(cache=True, nogil=True)
def _overdamped_two(i, x, keys, c, lam, scal, rec_every, work, heat, rec):
    """Trajectories i and i + 1 of :func:`overdamped_run` side by side: each one's steps
    are those of :func:`_overdamped_one` (the same operations in the same order, so the
    same bits); interleaving two independent chains lets the core overlap their
    latencies. Returns the number of them that left the finite range."""
    mob = scal[0] / scal[1]
    amp = math.sqrt(2.0 * scal[2] * scal[0] / scal[1])
    n = lam.size - 1
    n_rec = rec.shape[1]
    j = i + 1
    s0, s1 = keys[i], keys[j]
    w0, w1 = work[i], work[j]
    q0, q1 = heat[i], heat[j]
    bad = 0
    for r in range(n_rec):
        rec[i, r, 0] = w0
        rec[i, r, 1] = q0
        rec[j, r, 0] = w1
        rec[j, r, 1] = q1
    for a in range(x.shape[1]):
        x0, x1 = x[i, a], x[j, a]
        wa0 = wa1 = qa0 = qa1 = 0.0
        r = 0
        nxt = rec_every if (rec_every > 0 and n_rec > 0) else -1
        u0 = energy1(x0, lam[0], c, a)
        u1 = energy1(x1, lam[0], c, a)
        for t in range(n):
            lt = lam[t + 1]
            m0 = energy1(x0, lt, c, a)
            m1 = energy1(x1, lt, c, a)
            wa0 += m0 - u0
            wa1 += m1 - u1
            s0, z0 = next_normal(s0)
            s1, z1 = next_normal(s1)
            x0 = x0 + mob * force1(x0, lt, c, a) + amp * z0
            x1 = x1 + mob * force1(x1, lt, c, a) + amp * z1
            u0 = energy1(x0, lt, c, a)
            u1 = energy1(x1, lt, c, a)
            qa0 += m0 - u0
            qa1 += m1 - u1
            if t + 1 == nxt:
                rec[i, r, 0] += wa0
                rec[i, r, 1] += qa0
                rec[i, r, 2 + a] = x0
                rec[j, r, 0] += wa1
                rec[j, r, 1] += qa1
                rec[j, r, 2 + a] = x1
                r += 1
                nxt = nxt + rec_every if r < n_rec else -1
        x[i, a], x[j, a] = x0, x1
        w0 += wa0
        w1 += wa1
        q0 += qa0
        q1 += qa1
        if not math.isfinite(x0):
            bad |= 1
        if not math.isfinite(x1):
            bad |= 2
    keys[i], keys[j] = s0, s1
    work[i], work[j] = w0, w1
    heat[i], heat[j] = q0, q1
    return (bad & 1) + (bad >> 1)


@njit(cache=True, nogil=True, parallel=True)
def overdamped_run(x, keys, c, lam, scal, rec_every, work, heat, rec):
    """Euler-Maruyama for all trajectories over len(lam)-1 steps, in place, threads over
    trajectories (each trajectory's stream is its own, so threads change nothing).

    x: (M, d) positions; keys: (M,) stream states (advanced in place); c: (d, 6)
    coefficients; lam: (n+1,) protocol at step boundaries; scal = (dt, gamma, kT);
    work, heat: (M,) accumulators; rec: (M, n_rec, 2 + d) records of
    (work, heat, x...) after every ``rec_every`` steps (n_rec may be 0).
    Returns the number of trajectories with non-finite coordinates (0 on success).
    Trajectories run in pairs (:func:`_overdamped_two`), the last one alone if M is odd.
    """
    bad = 0
    m = x.shape[0]
    for p in prange(m // 2):
        bad += _overdamped_two(2 * p, x, keys, c, lam, scal, rec_every, work, heat, rec)
    if m % 2:
        bad += _overdamped_one(m - 1, x, keys, c, lam, scal, rec_every, work, heat, rec)
    return bad


@njit(cache=True, nogil=True)
def overdamped_run_serial(x, keys, c, lam, scal, rec_every, work, heat, rec):
    """:func:`overdamped_run` on the calling thread (for thread-pool runners)."""
    bad = 0
    m = x.shape[0]
    for p in range(m // 2):
        bad += _overdamped_two(2 * p, x, keys, c, lam, scal, rec_every, work, heat, rec)
    if m % 2:
        bad += _overdamped_one(m - 1, x, keys, c, lam, scal, rec_every, work, heat, rec)
    return bad


@njit(cache=True, nogil=True)
def _baoab_one(i, x, v, keys, c, lam, scal, out):
    """Trajectory i of :func:`baoab_run`; returns 1 if it left the finite range."""
    dt, gamma, kT, mass = scal[0], scal[1], scal[2], scal[3]
    cfr = math.exp(-gamma * dt / mass)
    amp = math.sqrt((1.0 - cfr * cfr) * kT / mass)
    h = 0.5 * dt
    n = lam.size - 1
    s = keys[i]
    w = out[i, 0]
    q = out[i, 1]
    sh = out[i, 2]
    bad = 0
    for a in range(x.shape[1]):
        xa = x[i, a]
        va = v[i, a]
        for t in range(n):
            e0 = energy1(xa, lam[t + 1], c, a)
            w += e0 - energy1(xa, lam[t], c, a)
            e0 += 0.5 * mass * va * va
            va += h * force1(xa, lam[t + 1], c, a) / mass
            xa += h * va
            k1 = 0.5 * mass * va * va
            e1 = energy1(xa, lam[t + 1], c, a) + k1
            s, z = next_normal(s)
            va = cfr * va + amp * z
            k2 = 0.5 * mass * va * va
            q += k1 - k2
            xa += h * va
            va += h * force1(xa, lam[t + 1], c, a) / mass
            e2 = energy1(xa, lam[t + 1], c, a) + 0.5 * mass * va * va
            sh += (e1 - e0) + (e2 - (e1 - k1 + k2))
        x[i, a] = xa
        v[i, a] = va
        if not (math.isfinite(xa) and math.isfinite(va)):
            bad = 1
    keys[i] = s
    out[i, 0] = w
    out[i, 1] = q
    out[i, 2] = sh
    return bad


@njit(cache=True, nogil=True, parallel=True)
def baoab_run(x, v, keys, c, lam, scal, out):
    """Underdamped BAOAB for all trajectories over len(lam)-1 steps, in place.

    x, v: (M, d); scal = (dt, gamma, kT, mass); out: (M, 3) accumulators of
    (work, heat, shadow work). Per step: lam -> lam' at fixed x (work), then
    B A O A B at lam'. Heat = kinetic energy lost in O; shadow work = energy change
    of the deterministic B/A substeps, so dE = W + W_shadow - Q per trajectory.
    """
    bad = 0
    for i in prange(x.shape[0]):
        bad += _baoab_one(i, x, v, keys, c, lam, scal, out)
    return bad


@njit(cache=True, nogil=True)
def baoab_run_serial(x, v, keys, c, lam, scal, out):
    """:func:`baoab_run` on the calling thread."""
    bad = 0
    for i in range(x.shape[0]):
        bad += _baoab_one(i, x, v, keys, c, lam, scal, out)
    return bad
