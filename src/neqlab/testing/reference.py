"""Analytic reference results for driven Brownian particles and the piston gas.

Exact statements (reduced units, k_B = 1) that tests and experiments compare with:

* dragged harmonic trap, overdamped, U = k (x - v t)^2 / 2, friction gamma, from
  equilibrium: dF = 0, W Gaussian with <W_t> = gamma v^2 [t - tau (1 - e^{-t/tau})],
  tau = gamma / k, and Var W = 2 kT <W> (:func:`dragged_trap_work`);
* the same for the Euler-Maruyama scheme itself, for any trap-centre protocol, via the
  exact Gaussian recursions of the discrete chain (:func:`harmonic_moments`,
  :func:`harmonic_window_work`), which also give the periodic steady state of a
  sinusoidally moving trap;
* stiffness ramp U = lambda x^2/2 from k0 to k1: dF = (d kT / 2) ln(k1/k0);
* ideal-gas piston L0 -> L1 at any speed: per particle <e^{-W/kT}> = L1/L0, so
  dF = -N kT ln(L1/L0) for N particles.

>>> round(dragged_trap_work(t=1.0, k=1.0, v=1.0, gamma=1.0, kT=1.0)[0], 4)
0.3679
>>> round(stiffness_ramp_delta_f(1.0, 4.0, kT=1.0), 6)
0.693147
>>> piston_jarzynski(1.0, 0.5, n_particles=2)
0.25
"""

from __future__ import annotations

import math

import numpy as np


def dragged_trap_work(t: float, k: float, v: float, gamma: float, kT: float) -> tuple[float, float]:
    """(<W>, Var W) for the continuous overdamped trap dragged at speed v for time t from equilibrium."""
    tau = gamma / k
    mean = gamma * v * v * (t - tau * (1.0 - math.exp(-t / tau)))
    return mean, 2.0 * kT * mean


def dragged_trap_steady_slope(t: float, k: float, gamma: float) -> float:
    """FT slope of ln[P(W)/P(-W)] vs W/kT for a window of length t started in the dragged
    steady state (not equilibrium): t / [t - tau (1 - e^{-t/tau})]; tends to 1 as t grows."""
    tau = gamma / k
    return t / (t - tau * (1.0 - math.exp(-t / tau)))


def stiffness_ramp_delta_f(k0: float, k1: float, kT: float, dim: int = 1) -> float:
    """F(k1) - F(k0) = (dim kT/2) ln(k1/k0) for U = k |x|^2 / 2."""
    return 0.5 * dim * kT * math.log(k1 / k0)


def piston_jarzynski(L0: float, L1: float, n_particles: int = 1) -> float:
    """<exp(-W/kT)> = (L1/L0)^N for N ideal particles, any piston speed."""
    return (L1 / L0) ** n_particles


def piston_delta_f(L0: float, L1: float, kT: float, n_particles: int = 1) -> float:
    """F(L1) - F(L0) = -N kT ln(L1/L0) for the ideal gas."""
    return -n_particles * kT * math.log(L1 / L0)


def harmonic_moments(lam: np.ndarray, k: float, gamma: float, kT: float, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact mean and variance of x_n for the Euler-Maruyama chain in U = k (x - lam)^2/2.

    The chain x_{n+1} = (1 - a) x_n + a lam_{n+1} + sqrt(2 kT dt/gamma) z_n, a = k dt/gamma,
    starts from the Boltzmann distribution at lam_0 (mean lam_0, variance kT/k).
    """
    lam = np.asarray(lam, dtype=float)
    a = k * dt / gamma
    b2 = 2.0 * kT * dt / gamma
    m = np.empty(lam.size)
    v = np.empty(lam.size)
    m[0], v[0] = lam[0], kT / k
    for n in range(lam.size - 1):
        m[n + 1] = (1.0 - a) * m[n] + a * lam[n + 1]
        v[n + 1] = (1.0 - a) ** 2 * v[n] + b2
    return m, v


def harmonic_window_work(lam: np.ndarray, k: float, gamma: float, kT: float, dt: float,
                         start: int, stop: int) -> tuple[float, float]:
    """Exact (mean, variance) of the work done between steps ``start`` and ``stop`` on
    the Euler-Maruyama chain of :func:`harmonic_moments` (trap centre lam_n).

    Per step W_n = k (lam_{n+1}^2 - lam_n^2)/2 - k x_n (lam_{n+1} - lam_n), linear in
    x_n, so W is Gaussian; Cov(x_n, x_m) = (1 - a)^{m - n} Var x_n for m >= n.
    """
    lam = np.asarray(lam, dtype=float)
    m, v = harmonic_moments(lam, k, gamma, kT, dt)
    dl = np.diff(lam)[start:stop]
    const = 0.5 * k * (lam[start + 1: stop + 1] ** 2 - lam[start:stop] ** 2)
    mean = float(np.sum(const - k * m[start:stop] * dl))
    rho = 1.0 - k * dt / gamma
    vv = v[start:stop]
    acc = 0.0
    g = 0.0
    for j in range(dl.size):  # g_j = sum_{n<j} dl_n v_n rho^{j-n}
        acc += dl[j] * g
        g = rho * (g + dl[j] * vv[j])
    var = float(k * k * (np.sum(dl * dl * vv) + 2.0 * acc))
    return mean, var


def gaussian_symmetry_slope(mean: float, var: float) -> float:
    """Slope of ln[P(s=a)/P(s=-a)] against a for a Gaussian s: 2 mean / var (1 iff var = 2 mean)."""
    return 2.0 * mean / var


# -- macrostates (essay §2.2) ----------------------------------------------------------
def ehrenfest_mean(n_particles: int, n_start: int, t) -> np.ndarray:
    """E[n_t] = N/2 + (n_0 - N/2)(1 - 2/N)^t for the Ehrenfest urn (exact); t in steps."""
    t = np.asarray(t, dtype=float)
    return n_particles / 2 + (n_start - n_particles / 2) * (1.0 - 2.0 / n_particles) ** t


def ehrenfest_recurrence_time(n_particles: int, n: int | None = None) -> float:
    """Mean return time [steps] to the state with n balls left (Kac's lemma): 2^N / C(N, n); n = N by default."""
    n = n_particles if n is None else n
    return 2.0**n_particles / math.comb(n_particles, n)


def kac_ring_mean(marker_fraction: float, t) -> np.ndarray:
    """Mean of (white - black)/n over marker placements, all white at t = 0: (1 - 2 mu)^t for t <= n (exact)."""
    return (1.0 - 2.0 * marker_fraction) ** np.asarray(t, dtype=float)


# -- relaxation (essay §1) ---------------------------------------------------------------
FLUCTUATION_EXPONENT = -0.5  # relative fluctuations of extensive quantities at equilibrium: N^-1/2 (exact as N grows, away from critical points)


def uniform_spatial_entropy(n_cells: int, dim: int) -> float:
    """-sum p ln p of a uniform gas over n_cells^dim equal cells: dim ln(n_cells) [k_B] (the n -> inf plateau)."""
    return dim * math.log(n_cells)


# -- liouville (essay §4) ----------------------------------------------------------------
SYMPLECTIC_INTEGRATORS = ("leapfrog", "yoshida4")


def oscillator_jacobian_det(integrator: str, h: float) -> float:
    """det of the one-step map of H = (p^2 + q^2)/2 with step h (exact, PHYSICS.md).

    Symplectic integrators (leapfrog, yoshida4): 1. Explicit Euler: 1 + h^2. Classical
    RK4: 1 - h^6/72 + h^8/576 (its step matrix is a I + b A with A^2 = -I, det a^2 + b^2).
    """
    if integrator in SYMPLECTIC_INTEGRATORS:
        return 1.0
    if integrator == "euler":
        return 1.0 + h * h
    if integrator == "rk4":
        return 1.0 - h**6 / 72.0 + h**8 / 576.0
    raise ValueError(f"integrator must be one of leapfrog, yoshida4, euler, rk4, got {integrator!r}")


def linear_gibbs_entropy_change(det: float, n_steps) -> np.ndarray:
    """Change of the Gibbs entropy -<ln rho> after n_steps of a linear map with Jacobian det: n ln|det| [k_B].

    Exact for any density (rho is carried along and divided by |det| each step); for a
    Gaussian it is the change of 1/2 ln det(2 pi e Sigma).
    """
    return np.asarray(n_steps, dtype=float) * math.log(abs(det))


def henon_area_ratio(b: float) -> float:
    """Area ratio per step of the Henon map (x, y) -> (1 - a x^2 + y, b x): |det J| = |b| (exact)."""
    return abs(b)
