"""Equation of state of the WCA fluid in 2D and 3D, fitted to the engine's own measurements.

The WCA pair potential u(r) = 4 (r^-12 - r^-6) + 1 for r < 2^(1/6) (reduced units,
sigma = epsilon = m = k_B = 1). Everything follows from one function, the excess
Helmholtz free energy per particle in units of kT, phi(rho, T) = A_ex / (N kT):

* pressure route: Z = P / (rho kT) = 1 + rho d(phi)/d(rho) at fixed T;
* energy route: u_ex = U_ex / N = d(phi)/d(beta) at fixed rho, beta = 1/kT [energy];
* excess entropy per particle s_ex = (U_ex - A_ex) / (N kT) = beta u_ex - phi [k_B];
* excess chemical potential mu_ex = kT (phi + Z - 1) [energy].

Form: phi = phi_ref(eta) + sum_{i=2..5} sum_{q in 0, 1/2, 1} c_iq eta^i kT^q, with the
packing fraction eta = v_dim rho d(T)^dim (v_2 = pi/4, v_3 = pi/6) of hard cores whose
diameter d(T) gives the WCA's exact second virial coefficient,
d^dim = dim * integral_0^{r_c} r^(dim-1) (1 - exp(-u(r)/kT)) dr (200-point Gauss-Legendre
on [0.6, r_c]; below 0.6 the integrand is 1 to within exp(-1750/kT) r^(dim-1)).
phi_ref is the hard-disk EOS of Henderson (1975), Z = (1 + eta^2/8)/(1 - eta)^2, i.e.
phi_ref = (9/8) eta/(1 - eta) - (7/8) ln(1 - eta), and the Carnahan-Starling hard-sphere
EOS in 3D, phi_ref = (4 eta - 3 eta^2)/(1 - eta)^2. The reference alone (no fitted
term) already gives s_ex within 0.08 (2D) and 0.11 (3D) of the fit over the validated
range; the correction starts at eta^2, so the exact second virial coefficient
(low-density limit) is kept at every temperature.

The coefficients c_iq are a weighted linear least-squares fit of Z and u_ex together
(both are linear in c) to :data:`TABLE`, measured by
:func:`neqlab.observables._wca_eos_fit.measure` (N = 1000, periodic box, 100 tau at
constant energy after 10 tau of rescaled melting, block errors). Regenerate the table
with ``python -m neqlab.observables._wca_eos_fit`` and the coefficients with
:func:`fit`. chi^2 per degree of freedom: 1.6 (2D), 1.0 (3D); the fit covariance is
scaled by it. Validated range: the table's, kT in [0.24, 4.1] and eta up to 0.64 (2D)
and 0.45 (3D) (:func:`in_range`); outside it the functions still evaluate (the
reference carries the correct hard-core and low-density limits), without a check,
up to eta = 1, where the reference ends: there and beyond they return NaN.
Statistical error of s_ex from the fit: <= 0.002 k_B over the range; changing the fitted
form (a 9-term instead of the 12-term sum) moves s_ex by up to 0.004 k_B, a fair
systematic error of the form. Checked against fresh engine runs at seven state points
off the grid (2D and 3D, seed 1; ``tests/validation/test_wca_eos_engine.py``): Z,
u_ex and the Widom excess chemical potential (a free energy the fit never saw) agree
within |z| < 2.2.

>>> round(float(excess_entropy(0.3, 1.0, 2)), 2)
-0.55
>>> bool(in_range(0.3, 1.0, 2)) and not bool(in_range(0.9, 1.0, 2))
True
"""

from __future__ import annotations

import functools
import math

import numpy as np

from neqlab.core.errors import ConfigError

WCA_CUT = 2.0 ** (1.0 / 6.0)
_R0 = 0.6
_X, _W = np.polynomial.legendre.leggauss(200)
_R = _R0 + 0.5 * (WCA_CUT - _R0) * (_X + 1.0)
_WR = 0.5 * (WCA_CUT - _R0) * _W
_U = 4.0 * _R**-12 * (1.0 - _R**6) + 1.0

#: fitted terms eta^i kT^q as (i, q)
TERMS = tuple((i, q) for i in (2, 3, 4, 5) for q in (0.0, 0.5, 1.0))
KT_RANGE = (0.24, 4.1)  # validated temperatures [energy]
ETA_MAX = {2: 0.64, 3: 0.45}  # validated packing fractions

#: (dim, density [sigma^-dim], kT, kT_err [energy], Z, Z_err, u_ex, u_ex_err [energy per particle])
TABLE = (
    (2, 0.050, 0.25080, 0.00002, 1.09449, 0.00128, 0.001128, 0.000017),
    (2, 0.100, 0.25006, 0.00002, 1.20552, 0.00159, 0.002431, 0.000024),
    (2, 0.200, 0.25000, 0.00004, 1.47609, 0.00300, 0.005674, 0.000039),
    (2, 0.300, 0.24783, 0.00005, 1.86298, 0.00354, 0.010183, 0.000047),
    (2, 0.400, 0.24942, 0.00007, 2.42017, 0.00549, 0.017057, 0.000074),
    (2, 0.500, 0.25056, 0.00008, 3.25313, 0.00635, 0.027365, 0.000082),
    (2, 0.600, 0.25135, 0.00011, 4.56034, 0.00912, 0.043866, 0.000108),
    (2, 0.700, 0.25055, 0.00005, 6.84128, 0.00520, 0.073096, 0.000055),
    (2, 0.050, 0.49968, 0.00004, 1.09130, 0.00121, 0.002679, 0.000039),
    (2, 0.100, 0.50090, 0.00007, 1.19579, 0.00227, 0.005795, 0.000074),
    (2, 0.200, 0.49811, 0.00010, 1.45582, 0.00306, 0.013401, 0.000101),
    (2, 0.300, 0.49666, 0.00014, 1.81579, 0.00431, 0.024034, 0.000136),
    (2, 0.400, 0.50681, 0.00021, 2.31620, 0.00628, 0.039937, 0.000206),
    (2, 0.500, 0.50135, 0.00015, 3.06306, 0.00494, 0.062313, 0.000154),
    (2, 0.600, 0.49857, 0.00023, 4.20368, 0.00721, 0.097168, 0.000229),
    (2, 0.700, 0.49174, 0.00026, 6.09391, 0.00978, 0.154539, 0.000255),
    (2, 0.750, 0.49756, 0.00029, 7.51496, 0.01161, 0.203626, 0.000285),
    (2, 0.050, 0.99994, 0.00006, 1.08684, 0.00072, 0.006158, 0.000057),
    (2, 0.100, 1.00255, 0.00011, 1.18684, 0.00136, 0.013388, 0.000113),
    (2, 0.200, 0.99635, 0.00016, 1.42745, 0.00185, 0.030456, 0.000155),
    (2, 0.300, 1.00735, 0.00028, 1.75468, 0.00352, 0.054625, 0.000284),
    (2, 0.400, 1.01930, 0.00023, 2.20822, 0.00287, 0.089491, 0.000227),
    (2, 0.500, 1.00494, 0.00034, 2.84910, 0.00408, 0.135312, 0.000341),
    (2, 0.600, 0.98902, 0.00034, 3.83685, 0.00504, 0.206173, 0.000338),
    (2, 0.700, 1.01993, 0.00035, 5.31436, 0.00563, 0.331183, 0.000352),
    (2, 0.750, 1.01248, 0.00047, 6.40645, 0.00696, 0.416153, 0.000468),
    (2, 0.050, 1.99620, 0.00014, 1.08100, 0.00074, 0.013557, 0.000135),
    (2, 0.100, 2.00053, 0.00018, 1.17423, 0.00096, 0.029331, 0.000177),
    (2, 0.200, 2.00486, 0.00028, 1.39982, 0.00146, 0.067729, 0.000282),
    (2, 0.300, 1.98518, 0.00033, 1.70054, 0.00189, 0.117776, 0.000327),
    (2, 0.400, 1.99073, 0.00035, 2.10257, 0.00213, 0.186871, 0.000352),
    (2, 0.500, 1.97363, 0.00061, 2.66481, 0.00333, 0.281185, 0.000606),
    (2, 0.600, 1.98285, 0.00058, 3.46173, 0.00363, 0.422180, 0.000576),
    (2, 0.700, 1.96706, 0.00064, 4.66596, 0.00447, 0.631954, 0.000638),
    (2, 0.750, 1.99131, 0.00057, 5.47091, 0.00402, 0.789133, 0.000575),
    (2, 0.050, 3.98482, 0.00025, 1.07656, 0.00059, 0.029460, 0.000245),
    (2, 0.100, 4.01330, 0.00031, 1.16299, 0.00069, 0.063280, 0.000309),
    (2, 0.200, 4.01234, 0.00058, 1.36751, 0.00137, 0.143025, 0.000577),
    (2, 0.300, 3.95970, 0.00086, 1.63942, 0.00211, 0.246406, 0.000855),
    (2, 0.400, 3.97359, 0.00064, 1.98755, 0.00164, 0.383705, 0.000635),
    (2, 0.500, 3.94516, 0.00118, 2.46551, 0.00305, 0.568338, 0.001182),
    (2, 0.600, 4.00439, 0.00101, 3.11112, 0.00252, 0.840078, 0.001005),
    (2, 0.700, 3.94876, 0.00130, 4.05723, 0.00360, 1.211197, 0.001295),
    (2, 0.750, 3.92892, 0.00183, 4.68111, 0.00543, 1.460214, 0.001831),
    (3, 0.050, 0.24987, 0.00002, 1.13398, 0.00148, 0.002346, 0.000031),
    (3, 0.100, 0.24936, 0.00003, 1.29435, 0.00227, 0.005175, 0.000043),
    (3, 0.200, 0.24949, 0.00003, 1.69507, 0.00261, 0.012274, 0.000052),
    (3, 0.300, 0.25374, 0.00005, 2.25456, 0.00377, 0.022768, 0.000079),
    (3, 0.400, 0.24906, 0.00006, 3.05234, 0.00459, 0.036628, 0.000088),
    (3, 0.500, 0.25106, 0.00009, 4.18951, 0.00775, 0.058093, 0.000140),
    (3, 0.600, 0.24606, 0.00006, 5.86222, 0.00551, 0.087381, 0.000083),
    (3, 0.700, 0.25339, 0.00011, 8.31843, 0.01042, 0.139215, 0.000163),
    (3, 0.050, 0.49742, 0.00005, 1.12534, 0.00138, 0.005429, 0.000070),
    (3, 0.100, 0.49986, 0.00006, 1.27285, 0.00166, 0.011931, 0.000089),
    (3, 0.200, 0.49755, 0.00010, 1.64717, 0.00320, 0.028295, 0.000157),
    (3, 0.300, 0.49763, 0.00007, 2.14378, 0.00240, 0.050132, 0.000113),
    (3, 0.400, 0.50136, 0.00011, 2.84210, 0.00333, 0.082225, 0.000170),
    (3, 0.500, 0.49105, 0.00017, 3.82981, 0.00575, 0.124279, 0.000259),
    (3, 0.600, 0.51046, 0.00016, 5.17871, 0.00577, 0.195400, 0.000245),
    (3, 0.700, 0.49348, 0.00016, 7.21223, 0.00610, 0.282817, 0.000235),
    (3, 0.050, 1.00446, 0.00006, 1.11822, 0.00085, 0.012486, 0.000093),
    (3, 0.100, 0.99921, 0.00009, 1.25412, 0.00112, 0.026848, 0.000131),
    (3, 0.200, 1.00297, 0.00014, 1.58722, 0.00185, 0.062530, 0.000211),
    (3, 0.300, 0.99062, 0.00022, 2.03689, 0.00295, 0.109441, 0.000329),
    (3, 0.400, 0.99143, 0.00022, 2.64221, 0.00304, 0.174960, 0.000328),
    (3, 0.500, 1.00453, 0.00024, 3.45216, 0.00341, 0.267864, 0.000367),
    (3, 0.600, 1.02016, 0.00032, 4.55273, 0.00473, 0.400295, 0.000482),
    (3, 0.700, 0.99295, 0.00034, 6.11883, 0.00538, 0.565981, 0.000512),
    (3, 0.800, 1.00793, 0.00032, 8.23949, 0.00566, 0.831542, 0.000475),
    (3, 0.050, 1.99983, 0.00011, 1.10843, 0.00062, 0.026937, 0.000170),
    (3, 0.100, 1.99371, 0.00016, 1.23074, 0.00084, 0.057194, 0.000243),
    (3, 0.200, 2.00105, 0.00029, 1.53174, 0.00156, 0.133188, 0.000437),
    (3, 0.300, 2.00166, 0.00032, 1.92089, 0.00184, 0.231853, 0.000481),
    (3, 0.400, 2.01342, 0.00038, 2.42479, 0.00214, 0.363723, 0.000571),
    (3, 0.500, 1.98274, 0.00040, 3.09813, 0.00234, 0.530270, 0.000591),
    (3, 0.600, 2.00187, 0.00054, 3.97994, 0.00351, 0.769854, 0.000812),
    (3, 0.700, 2.00615, 0.00081, 5.14802, 0.00555, 1.088060, 0.001215),
    (3, 0.800, 1.99881, 0.00051, 6.71669, 0.00377, 1.515689, 0.000764),
    (3, 0.050, 4.00551, 0.00020, 1.09758, 0.00047, 0.055918, 0.000297),
    (3, 0.100, 4.00060, 0.00040, 1.20845, 0.00084, 0.119378, 0.000595),
    (3, 0.200, 3.99558, 0.00061, 1.47036, 0.00141, 0.269857, 0.000916),
    (3, 0.300, 3.98110, 0.00062, 1.80415, 0.00159, 0.461798, 0.000933),
    (3, 0.400, 4.02017, 0.00084, 2.22223, 0.00212, 0.714538, 0.001261),
    (3, 0.500, 3.97322, 0.00078, 2.76716, 0.00201, 1.026325, 0.001169),
    (3, 0.600, 4.02088, 0.00094, 3.44892, 0.00248, 1.454782, 0.001414),
    (3, 0.700, 4.00062, 0.00110, 4.32993, 0.00327, 1.986288, 0.001651),
    (3, 0.800, 4.04974, 0.00111, 5.43778, 0.00346, 2.715648, 0.001665),
)

#: c_iq of :data:`TERMS`, from :func:`fit` on :data:`TABLE` (a test refits and compares)
COEFFS = {
    2: np.array([
        0.16863531069507082, 0.03072970953903585, -0.012848324150102087,
        -1.1460220742142428, -0.5806718214719049, 0.1749365124834241,
        2.8234643439379354, 2.0437936535556274, -0.5873496923048522,
        -2.3299357009702315, -2.7016975900857103, 0.6551017757427016,
    ]),
    3: np.array([
        0.12519167902299838, 0.0537966235255507, -0.024527329835643118,
        -1.4894057877940627, -2.3944297600019824, 0.5830486832817726,
        5.799367834677694, 10.989873704629982, -2.876962696261721,
        -4.954366964840618, -23.171562724869382, 5.194798950126219,
    ]),
}


def _check_dim(dim) -> int:
    if dim not in (2, 3):
        raise ConfigError(f"dim must be one of 2, 3, got {dim!r}")
    return int(dim)


def diameter(kT, dim: int) -> np.ndarray:
    """Hard-core diameter with the WCA's second virial coefficient at ``kT`` [length]."""
    d, _ = _diameter_power(1.0 / np.asarray(kT, dtype=np.float64), _check_dim(dim))
    return d ** (1.0 / dim)


def _diameter_power(beta, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """(d^dim, d(d^dim)/d(beta))."""
    b = np.asarray(beta, dtype=np.float64)[..., None]
    e = np.exp(-b * _U)
    rd = _R ** (dim - 1)
    return (dim * (np.sum(_WR * rd * (1.0 - e), axis=-1) + _R0**dim / dim),
            dim * np.sum(_WR * rd * _U * e, axis=-1))


def _vfac(dim: int) -> float:
    return math.pi / 4.0 if dim == 2 else math.pi / 6.0


def packing_fraction(density, kT, dim: int) -> np.ndarray:
    """eta = v_dim rho d(T)^dim [-] (v_2 = pi/4, v_3 = pi/6)."""
    dd, _ = _diameter_power(1.0 / np.asarray(kT, dtype=np.float64), _check_dim(dim))
    return _vfac(dim) * np.asarray(density, dtype=np.float64) * dd


def in_range(density, kT, dim: int) -> np.ndarray:
    """True where (density, kT) lies in the range the fit was validated on."""
    kT = np.asarray(kT, dtype=np.float64)
    return ((kT >= KT_RANGE[0]) & (kT <= KT_RANGE[1])
            & (packing_fraction(density, kT, dim) <= ETA_MAX[_check_dim(dim)]))


def _parts(density, kT, dim: int):
    """phi_ref, Z_ref - 1, u_ref, s_ref and the rows of the fitted terms for each quantity."""
    rho = np.asarray(density, dtype=np.float64)
    t = np.asarray(kT, dtype=np.float64)
    rho, t = np.broadcast_arrays(rho, t)
    b = 1.0 / t
    dd, ddb = _diameter_power(b, dim)
    eta = _vfac(dim) * rho * dd
    eta = np.where(eta < 1.0, eta, np.nan)  # the reference has no value at or beyond eta = 1
    eta_b = _vfac(dim) * rho * ddb  # d(eta)/d(beta)
    with np.errstate(divide="ignore", invalid="ignore"):
        if dim == 2:
            phi = 9.0 / 8.0 * eta / (1.0 - eta) - 7.0 / 8.0 * np.log1p(-eta)
            dphi = (2.0 - 7.0 / 8.0 * eta) / (1.0 - eta) ** 2  # d(phi_ref)/d(eta)
        else:
            phi = (4.0 * eta - 3.0 * eta**2) / (1.0 - eta) ** 2
            dphi = (4.0 - 2.0 * eta) / (1.0 - eta) ** 3
    u_ref = dphi * eta_b
    rows_phi, rows_z, rows_u = [], [], []
    for i, q in TERMS:
        tq = t**q
        rows_phi.append(eta**i * tq)
        rows_z.append(i * eta**i * tq)  # rho d/d(rho) at fixed T
        rows_u.append(i * eta ** (i - 1) * eta_b * tq - q * eta**i * tq * t)  # d/d(beta): d(kT^q)/d(beta) = -q kT^(q+1)
    f = np.stack(rows_phi, -1)
    fz = np.stack(rows_z, -1)
    fu = np.stack(rows_u, -1)
    return phi, eta * dphi, u_ref, b[..., None] * fu - f, f, fz, fu, b


def fit(table=TABLE, dim: int = 2) -> tuple[np.ndarray, np.ndarray, float]:
    """Weighted least-squares c_iq for ``dim`` from rows of :data:`TABLE`.

    Returns (coefficients, covariance scaled by max(1, chi^2/dof), chi^2/dof).
    """
    a = np.array([r for r in table if r[0] == _check_dim(dim)], dtype=np.float64)
    rho, t, z, z_err, u, u_err = a[:, 1], a[:, 2], a[:, 4], a[:, 5], a[:, 6], a[:, 7]
    _, zr, ur, _, _, fz, fu, _ = _parts(rho, t, dim)
    m = np.vstack([fz / z_err[:, None], fu / u_err[:, None]])
    y = np.concatenate([(z - 1.0 - zr) / z_err, (u - ur) / u_err])
    c, *_ = np.linalg.lstsq(m, y, rcond=None)
    r = y - m @ c
    chi2 = float(r @ r) / (y.size - c.size)
    return c, np.linalg.inv(m.T @ m) * max(1.0, chi2), chi2


@functools.cache
def _covariance(dim: int) -> np.ndarray:
    return fit(TABLE, dim)[1]


def excess_free_energy(density, kT, dim: int) -> np.ndarray:
    """phi = A_ex / (N kT), excess Helmholtz free energy per particle [kT]."""
    phi, _, _, _, f, _, _, _ = _parts(density, kT, _check_dim(dim))
    return phi + f @ COEFFS[dim]


def compressibility_factor(density, kT, dim: int) -> np.ndarray:
    """Z = P / (rho kT) [-]."""
    _, zr, _, _, _, fz, _, _ = _parts(density, kT, _check_dim(dim))
    return 1.0 + zr + fz @ COEFFS[dim]


def excess_energy(density, kT, dim: int) -> np.ndarray:
    """u_ex = U_pot / N, potential energy per particle [energy]."""
    _, _, ur, _, _, _, fu, _ = _parts(density, kT, _check_dim(dim))
    return ur + fu @ COEFFS[dim]


def excess_entropy(density, kT, dim: int) -> np.ndarray:
    """s_ex = beta u_ex - phi, excess entropy per particle [k_B] (<= 0)."""
    phi, _, ur, g, _, _, _, b = _parts(density, kT, _check_dim(dim))
    return b * ur - phi + g @ COEFFS[dim]


def excess_entropy_err(density, kT, dim: int) -> np.ndarray:
    """One standard error of :func:`excess_entropy` from the fit's covariance [k_B]."""
    return fit_error("s_ex", density, kT, dim)


def fit_error(quantity: str, density, kT, dim: int) -> np.ndarray:
    """One standard error from the fit's covariance of ``quantity``: "s_ex" [k_B], "z" [-],
    "u_ex" or "mu_ex" [energy]."""
    _, _, _, g, f, fz, fu, _ = _parts(density, kT, _check_dim(dim))
    rows = {"s_ex": g, "z": fz, "u_ex": fu, "mu_ex": np.asarray(kT, dtype=np.float64)[..., None] * (f + fz)}
    if quantity not in rows:
        raise ConfigError(f"quantity must be one of {', '.join(rows)}, got {quantity!r}")
    r = rows[quantity]
    return np.sqrt(np.einsum("...i,ij,...j->...", r, _covariance(dim), r))


def excess_chemical_potential(density, kT, dim: int) -> np.ndarray:
    """mu_ex = kT (phi + Z - 1) [energy] (what Widom insertion measures)."""
    t = np.asarray(kT, dtype=np.float64)
    return t * (excess_free_energy(density, kT, dim) + compressibility_factor(density, kT, dim) - 1.0)
