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
  dF = -N kT ln(L1/L0) for N particles;
* the entropy of the classical ideal gas per particle (Sackur-Tetrode, with the N! of
  indistinguishable particles): S/N = ln[V/(N lambda_T^dim)] + (dim + 2)/2, thermal
  wavelength lambda_T = h / sqrt(2 pi m kT), h = 1 in reduced units
  (:func:`ideal_gas_entropy`, :func:`thermal_wavelength`).

>>> round(dragged_trap_work(t=1.0, k=1.0, v=1.0, gamma=1.0, kT=1.0)[0], 4)
0.3679
>>> round(stiffness_ramp_delta_f(1.0, 4.0, kT=1.0), 6)
0.693147
>>> piston_jarzynski(1.0, 0.5, n_particles=2)
0.25
>>> round(ideal_gas_entropy(density=1.0, kT=1.0 / (2 * math.pi), dim=2), 12)   # lambda_T = 1
2.0
>>> round(ideal_gas_entropy(density=0.5, kT=1.0 / (2 * math.pi), dim=3) - math.log(2), 12)
2.5
"""

from __future__ import annotations

import math

import numpy as np

from neqlab.core.errors import ConfigError


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


# -- the ideal gas (loschmidt's thermodynamic entropy) ------------------------------------
def thermal_wavelength(kT: float, mass: float = 1.0, h: float = 1.0) -> float:
    """lambda_T = h / sqrt(2 pi m kT) [length]; reduced units take h = 1 (sigma, tau, epsilon).

    The choice of h only shifts every absolute entropy by -dim ln h per particle; entropy
    differences do not depend on it.
    """
    return h / math.sqrt(2.0 * math.pi * mass * kT)


def ideal_gas_entropy(density: float, kT: float, dim: int, mass: float = 1.0, h: float = 1.0) -> float:
    """Entropy per particle of the classical ideal gas [k_B] (exact, thermodynamic limit).

    2D: S/N = ln[A/(N lambda_T^2)] + 2; 3D (Sackur-Tetrode): S/N = ln[V/(N lambda_T^3)] + 5/2,
    with ``density`` = N/V [length^-dim], ``kT`` [energy], lambda_T from
    :func:`thermal_wavelength`.
    """
    if dim not in (2, 3):
        raise ConfigError(f"dim must be one of 2, 3, got {dim!r}")
    lam = thermal_wavelength(kT, mass, h)
    return math.log(1.0 / (density * lam**dim)) + 0.5 * (dim + 2)


# -- coarse_graining (essay §4) ------------------------------------------------------------
def cat_map_ks_entropy() -> float:
    """KS entropy of Arnold's cat map (x, y) -> (x + y, x + 2y) mod 1 [1/step] (exact).

    Uniformly hyperbolic, so by Pesin's formula it is the positive Lyapunov exponent,
    the log of the larger eigenvalue of [[1, 1], [1, 2]]: ln((3 + sqrt 5)/2).

    >>> round(cat_map_ks_entropy(), 6)
    0.962424
    """
    return math.log((3.0 + math.sqrt(5.0)) / 2.0)


def baker_map_ks_entropy() -> float:
    """KS entropy of the baker's map [1/step] (exact): ln 2."""
    return math.log(2.0)


def cat_map_lattice_period(bits: int) -> int:
    """Period [steps] of the cat map on the 2^bits x 2^bits lattice (exact).

    On the lattice the map is the integer matrix [[1, 1], [1, 2]] mod 2^bits, a
    permutation; its order is 3 for bits = 1 and 3 * 2^(bits - 2) for bits >= 2 (half
    the Pisano period of 2^bits, the cat matrix being the square of Fibonacci's).

    >>> [cat_map_lattice_period(b) for b in (1, 2, 6)]
    [3, 3, 48]
    """
    if bits < 1:
        raise ValueError(f"bits must be an integer in [1, inf), got {bits!r}")
    return 3 if bits == 1 else 3 * 2 ** (bits - 2)


# -- loschmidt (essay §2.3) ------------------------------------------------------------
UNIT_ROUNDOFF = {"f64": 2.0**-53, "f32": 2.0**-24, "exact": 0.0}


def unit_roundoff(precision: str) -> float:
    """Relative rounding error of one operation: 2^-53 (f64), 2^-24 (f32), 0 for the
    bit-reversible fixed-point integrator (exact)."""
    return UNIT_ROUNDOFF[precision]


def maxwell_velocity_entropy(kT: float, dim: int) -> float:
    """Entropy per particle of Maxwell's velocity distribution, -H = (dim/2) ln(2 pi e kT/m) [k_B] (exact)."""
    return 0.5 * dim * math.log(2.0 * math.pi * math.e * kT)


# -- crooks (essay §3): the WCA pair in a walled box ----------------------------------------
def wca_mayer_moments(kT: float) -> tuple[float, float, float]:
    """Moments of the Mayer function g(r) = 1 - exp(-u(r)/kT) of the 2D WCA pair [sigma^2, sigma^3, sigma^4]:
    (int g d^2s, int g |s_x| d^2s, int g |s_x s_y| d^2s) = (2 pi int g r dr, 4 int g r^2 dr,
    2 int g r^3 dr), by the trapezoid rule on 20001 points (g = 1 below r = 1e-3, where
    u/kT > 1e30). Agrees with adaptive quadrature to 1e-6 relative (tests)."""
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
    """Second virial coefficient [sigma^2] of the 2D WCA pair at kT: (1/2) int (1 - e^{-u/kT}) 2 pi r dr.

    >>> round(wca_b2(1.0), 3)
    1.623
    """
    return 0.5 * wca_mayer_moments(kT)[0]


def box_pair_excess(n: int, lx: float, ly: float, kT: float) -> float:
    """Excess free energy [epsilon] of N WCA disks in a walled lx x ly box, second order in density.

    F_ex = kT N(N-1)/2 I / A^2 with I = int_box int_box g(|r1 - r2|) dr1 dr2
    = lx ly G0 - (lx + ly) G1 + G2 (exact for a rectangle wider than the cutoff), the
    G_k the moments of :func:`wca_mayer_moments`. For a large box I -> 2 B2 A, the bulk
    second virial term; the lx + ly term is the excluded area missing at the walls.
    """
    from neqlab.core.errors import ConfigError  # imported here: this section is appended to a shared file

    rc = 2.0 ** (1.0 / 6.0)
    if min(lx, ly) < rc:
        raise ConfigError(f"box sides must be at least the WCA cutoff {rc:.4f} [sigma] for the pair excess, "
                          f"got {lx:.4g} x {ly:.4g}")
    g0, g1, g2 = wca_mayer_moments(kT)
    area = lx * ly
    return kT * 0.5 * n * (n - 1) * (area * g0 - (lx + ly) * g1 + g2) / area**2


def box_compression_delta_f(n: int, lx0: float, lx1: float, ly: float, kT: float) -> tuple[float, float]:
    """dF [epsilon] of N WCA disks in a walled box compressed along x from lx0 to lx1 (width ly):
    (ideal N kT ln(lx0/lx1), ideal + the change of :func:`box_pair_excess`), i.e. exact to
    second order in the density. The bulk form (N - 1) kT B2 rho overestimates the excess by
    35-50 % in a box 2.5 sigma wide: most disks are within a diameter of a wall, where part
    of their excluded area lies outside the box.
    """
    ideal = n * kT * math.log(lx0 / lx1)
    return ideal, ideal + box_pair_excess(n, lx1, ly, kT) - box_pair_excess(n, lx0, ly, kT)


# -- relaxation (essay §1) ---------------------------------------------------------------
FLUCTUATION_EXPONENT = -0.5  # relative fluctuations of extensive quantities at equilibrium: N^-1/2 (exact as N grows, away from critical points)


def uniform_spatial_entropy(n_cells: int, dim: int) -> float:
    """Position entropy -sum p ln p per particle of a uniform gas over n_cells^dim equal cells:
    dim ln(n_cells) [k_B] (exact as n -> inf; the plateau of relaxation and loschmidt)."""
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


def uniform_mu_entropy(length: float, kT: float, dim: int) -> float:
    """mu-space entropy per particle of a uniform Maxwellian gas coarse-grained in slabs along
    an axis of ``length`` [sigma]: ln(length) + (dim/2) ln(2 pi e kT) [k_B] (exact, n -> inf)."""
    return math.log(length) + maxwell_velocity_entropy(kT, dim)


# -- steady_state (essay §3 and footnote 6) ----------------------------------------------
def integral_theorem_relative_variance(var_omega: float) -> float:
    """Var[exp(-Omega)] / <exp(-Omega)>^2 = e^{Var Omega} - 1 for a Gaussian Omega that obeys
    the fluctuation theorem (mean = Var/2; exact). With n samples the mean of exp(-Omega)
    has about n / (e^{Var} - 1) effective samples: the average is carried by the rare
    trajectories near Omega = -Var/2 and is sampled only while this is well below n.

    >>> round(integral_theorem_relative_variance(math.log(2.0)), 12)
    1.0
    """
    if not (var_omega >= 0 and math.isfinite(var_omega)):
        raise ConfigError(f"var_omega must be a number in [0, inf), got {var_omega!r}")
    return math.expm1(var_omega)

