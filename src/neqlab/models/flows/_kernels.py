"""Numba kernels for Hamiltonian flows H = p^2/2 + V(q) and their integrators.

A system is an int id plus a float parameter vector; ``accel`` and ``accel_jac`` switch
on the id. Integrators advance one point (q, p) and optionally its tangent matrix
(2d x m, rows q then p) by the exact derivative of the discrete step (chain rule through
every stage), so det J of a step is the integrator's, not the flow's.
No fastmath: leapfrog runs must reverse with -dt.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

OSCILLATOR, PENDULUM, HENON_HEILES, SOFT_GAS = 0, 1, 2, 3
LEAPFROG, YOSHIDA4, EULER, RK4 = 0, 1, 2, 3

_CBRT2 = 2.0 ** (1.0 / 3.0)
Y_W1 = 1.0 / (2.0 - _CBRT2)
Y_W0 = -_CBRT2 / (2.0 - _CBRT2)


@njit(cache=True, nogil=True)
def accel(sys_id, par, q, out):
    """a = -dV/dq for the system ``sys_id`` at q (written into out)."""
    if sys_id == OSCILLATOR:
        out[0] = -par[0] * par[0] * q[0]
    elif sys_id == PENDULUM:
        out[0] = -par[0] * par[0] * math.sin(q[0])
    elif sys_id == HENON_HEILES:
        x = q[0]
        y = q[1]
        out[0] = -x - 2.0 * x * y
        out[1] = -y - x * x + y * y
    else:
        n = q.size // 2
        box = par[0]
        eps = par[1]
        sig2 = par[2] * par[2]
        for a in range(q.size):
            out[a] = 0.0
        for i in range(n):
            for j in range(i + 1, n):
                dx = q[2 * i] - q[2 * j]
                dy = q[2 * i + 1] - q[2 * j + 1]
                dx -= box * math.floor(dx / box + 0.5)
                dy -= box * math.floor(dy / box + 0.5)
                r2 = dx * dx + dy * dy
                if r2 < sig2:
                    f = 4.0 * eps * (1.0 - r2 / sig2) / sig2
                    out[2 * i] += f * dx
                    out[2 * i + 1] += f * dy
                    out[2 * j] -= f * dx
                    out[2 * j + 1] -= f * dy


@njit(cache=True, nogil=True)
def accel_jac(sys_id, par, q, out):
    """d a / d q (= minus the Hessian of V), a d x d matrix written into out."""
    d = q.size
    for a in range(d):
        for b in range(d):
            out[a, b] = 0.0
    if sys_id == OSCILLATOR:
        out[0, 0] = -par[0] * par[0]
    elif sys_id == PENDULUM:
        out[0, 0] = -par[0] * par[0] * math.cos(q[0])
    elif sys_id == HENON_HEILES:
        x = q[0]
        y = q[1]
        out[0, 0] = -1.0 - 2.0 * y
        out[0, 1] = -2.0 * x
        out[1, 0] = -2.0 * x
        out[1, 1] = -1.0 + 2.0 * y
    else:
        n = d // 2
        box = par[0]
        eps = par[1]
        sig2 = par[2] * par[2]
        for i in range(n):
            for j in range(i + 1, n):
                dx = q[2 * i] - q[2 * j]
                dy = q[2 * i + 1] - q[2 * j + 1]
                dx -= box * math.floor(dx / box + 0.5)
                dy -= box * math.floor(dy / box + 0.5)
                r2 = dx * dx + dy * dy
                if r2 < sig2:
                    # V(s) = eps (1 - s/sig2)^2, s = r^2; Hessian 2V' I + 4V'' dx dx^T
                    v1 = -2.0 * eps * (1.0 - r2 / sig2) / sig2
                    v2 = 2.0 * eps / (sig2 * sig2)
                    hxx = 2.0 * v1 + 4.0 * v2 * dx * dx
                    hyy = 2.0 * v1 + 4.0 * v2 * dy * dy
                    hxy = 4.0 * v2 * dx * dy
                    for (u, w, s) in ((2 * i, 2 * i, 1.0), (2 * j, 2 * j, 1.0), (2 * i, 2 * j, -1.0), (2 * j, 2 * i, -1.0)):
                        out[u, w] -= s * hxx
                        out[u + 1, w + 1] -= s * hyy
                        out[u, w + 1] -= s * hxy
                        out[u + 1, w] -= s * hxy


@njit(cache=True, nogil=True)
def _jac_prod(sys_id, par, q, aj, t, out):
    """out = (d a / d q at q) @ t for tangents t (d, m); the inner sum in index order."""
    accel_jac(sys_id, par, q, aj)
    d = t.shape[0]
    for r in range(d):
        for c in range(t.shape[1]):
            s = aj[r, 0] * t[0, c]
            for j in range(1, d):
                s += aj[r, j] * t[j, c]
            out[r, c] = s


B1 = 8  # points advanced together by the one-degree-of-freedom loop


@njit(cache=True, nogil=True)
def _accel_into(pend, c2, q, out):
    """out = a(q) for the B1 points of a block: c2 sin(q) (pendulum) or c2 q (oscillator),
    :func:`accel` with c2 = -omega * omega computed once (the same operations in the same
    order, hence the same bits). The branch stays outside the loops: inside, the compiler
    evaluated the sine for the oscillator too."""
    if pend:
        for b in range(B1):
            out[b] = c2 * math.sin(q[b])
    else:
        for b in range(B1):
            out[b] = c2 * q[b]


@njit(cache=True, nogil=True)
def flow_run_1dof(sys_id, par, integ, h, pts, n_steps, status):
    """:func:`flow_run` without tangents for the oscillator and the pendulum, B1 points
    at a time. Each point's arithmetic is that of :func:`flow_run` (the same bits); the
    B1 independent chains of one step overlap in the CPU's pipelines instead of waiting
    on each other's latency (a step is a chain of dependent multiplies and a sine)."""
    n = pts.shape[0]
    c2 = -par[0] * par[0]
    pend = sys_id == PENDULUM
    qb = np.zeros(B1)
    pb = np.zeros(B1)
    ab = np.zeros(B1)
    kq = np.zeros((4, B1))
    kp = np.zeros((4, B1))
    qs = np.zeros(B1)
    n_sub = 1 if integ == LEAPFROG else 3
    for i0 in range(0, n, B1):
        m = min(B1, n - i0)
        for b in range(B1):
            qb[b] = pts[i0 + b, 0] if b < m else 0.0
            pb[b] = pts[i0 + b, 1] if b < m else 0.0
        if integ == LEAPFROG or integ == YOSHIDA4:
            _accel_into(pend, c2, qb, ab)
            for _ in range(n_steps):
                for iw in range(n_sub):
                    hw = (Y_W0 if iw == 1 else (1.0 if integ == LEAPFROG else Y_W1)) * h
                    f = 0.5 * hw
                    for b in range(B1):
                        pb[b] += f * ab[b]
                        qb[b] += hw * pb[b]
                    _accel_into(pend, c2, qb, ab)
                    for b in range(B1):
                        pb[b] += f * ab[b]
        elif integ == EULER:
            for _ in range(n_steps):
                _accel_into(pend, c2, qb, ab)
                for b in range(B1):
                    qb[b] += h * pb[b]
                    pb[b] += h * ab[b]
        else:
            for _ in range(n_steps):
                for st in range(4):
                    c = 0.0 if st == 0 else (0.5 * h if st < 3 else h)
                    for b in range(B1):
                        qs[b] = qb[b] + c * kq[st - 1, b] if st > 0 else qb[b]
                        kq[st, b] = pb[b] + c * kp[st - 1, b] if st > 0 else pb[b]
                    _accel_into(pend, c2, qs, kp[st])
                h6 = h / 6.0
                for b in range(B1):
                    qb[b] += h6 * (kq[0, b] + 2.0 * kq[1, b] + 2.0 * kq[2, b] + kq[3, b])
                    pb[b] += h6 * (kp[0, b] + 2.0 * kp[1, b] + 2.0 * kp[2, b] + kp[3, b])
        for b in range(m):
            if not (math.isfinite(qb[b]) and math.isfinite(pb[b])):
                status[i0 + b] = 1
            pts[i0 + b, 0] = qb[b]
            pts[i0 + b, 1] = pb[b]
    return 0


@njit(cache=True, nogil=True)
def flow_run(sys_id, par, integ, h, pts, n_steps, tan, status):
    """Advance points (n, 2d) by n_steps, one at a time; if tan has n rows, also tangents (n, 2d, m).

    A point's arithmetic does not depend on the tangents (the same bits with and without).
    Leapfrog and Yoshida-4 evaluate a(q) once per drift: the closing kick of a leapfrog
    and the opening kick of the next act at the same q, so they share a(q) (and, with
    tangents, J(q) @ tq). One function, no per-step helpers: numba optimises each jitted
    callee again inside every caller, so fewer layers compile faster.
    """
    n = pts.shape[0]
    d = pts.shape[1] // 2
    with_tan = tan.shape[0] == n
    m = tan.shape[2] if with_tan else 1
    q = np.empty(d)
    p = np.empty(d)
    tq = np.zeros((d, m))
    tp = np.zeros((d, m))
    a = np.empty(d)
    aj = np.empty((d, d))
    jt = np.empty((d, m))
    kq = np.empty((4, d))
    kp = np.empty((4, d))
    qs = np.empty(d)
    tqs = np.empty((d, m))
    jq = np.empty((4, d, m))
    jp = np.empty((4, d, m))
    for i in range(n):
        for k in range(d):
            q[k] = pts[i, k]
            p[k] = pts[i, d + k]
        if with_tan:
            for r in range(d):
                for c in range(m):
                    tq[r, c] = tan[i, r, c]
                    tp[r, c] = tan[i, d + r, c]
        if integ == LEAPFROG or integ == YOSHIDA4:
            n_sub = 1 if integ == LEAPFROG else 3
            accel(sys_id, par, q, a)
            if with_tan:
                _jac_prod(sys_id, par, q, aj, tq, jt)
            for _ in range(n_steps):
                for iw in range(n_sub):
                    hw = (Y_W0 if iw == 1 else (1.0 if integ == LEAPFROG else Y_W1)) * h
                    f = 0.5 * hw
                    for k in range(d):
                        p[k] += f * a[k]
                    for k in range(d):
                        q[k] += hw * p[k]
                    if with_tan:
                        for r in range(d):
                            for c in range(m):
                                tp[r, c] += f * jt[r, c]
                        for r in range(d):
                            for c in range(m):
                                tq[r, c] += hw * tp[r, c]
                        _jac_prod(sys_id, par, q, aj, tq, jt)
                        for r in range(d):
                            for c in range(m):
                                tp[r, c] += f * jt[r, c]
                    accel(sys_id, par, q, a)
                    for k in range(d):
                        p[k] += f * a[k]
        elif integ == EULER:
            for _ in range(n_steps):
                accel(sys_id, par, q, a)
                if with_tan:
                    _jac_prod(sys_id, par, q, aj, tq, jt)
                    for r in range(d):
                        for c in range(m):
                            tq[r, c] += h * tp[r, c]
                            tp[r, c] += h * jt[r, c]
                for k in range(d):
                    q[k] += h * p[k]
                    p[k] += h * a[k]
        else:
            for _ in range(n_steps):
                for s in range(4):
                    c = 0.0 if s == 0 else (0.5 * h if s < 3 else h)
                    for k in range(d):
                        qs[k] = q[k] + c * kq[s - 1, k] if s > 0 else q[k]
                        kq[s, k] = p[k] + c * kp[s - 1, k] if s > 0 else p[k]
                    accel(sys_id, par, qs, a)
                    for k in range(d):
                        kp[s, k] = a[k]
                    if with_tan:
                        for r in range(d):
                            for cc in range(m):
                                tqs[r, cc] = tq[r, cc] + c * jq[s - 1, r, cc] if s > 0 else tq[r, cc]
                                jq[s, r, cc] = tp[r, cc] + c * jp[s - 1, r, cc] if s > 0 else tp[r, cc]
                        _jac_prod(sys_id, par, qs, aj, tqs, jp[s])
                h6 = h / 6.0
                for k in range(d):
                    q[k] += h6 * (kq[0, k] + 2.0 * kq[1, k] + 2.0 * kq[2, k] + kq[3, k])
                    p[k] += h6 * (kp[0, k] + 2.0 * kp[1, k] + 2.0 * kp[2, k] + kp[3, k])
                if with_tan:
                    for r in range(d):
                        for cc in range(m):
                            tq[r, cc] += h6 * (jq[0, r, cc] + 2.0 * jq[1, r, cc] + 2.0 * jq[2, r, cc] + jq[3, r, cc])
                            tp[r, cc] += h6 * (jp[0, r, cc] + 2.0 * jp[1, r, cc] + 2.0 * jp[2, r, cc] + jp[3, r, cc])
        for k in range(d):
            if not (math.isfinite(q[k]) and math.isfinite(p[k])):
                status[i] = 1
            pts[i, k] = q[k]
            pts[i, d + k] = p[k]
        if with_tan:
            for r in range(d):
                for c in range(m):
                    tan[i, r, c] = tq[r, c]
                    tan[i, d + r, c] = tp[r, c]
    return 0
