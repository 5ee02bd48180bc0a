"""What every experiment shares: check records, the one verdict rule, the run's frame.

A verdict is built from :class:`Check` records, each a measured value with its standard
error, a :class:`Bound` (equal within ``z_max`` standard errors, below, above, within
an interval) and a unit; ``passed`` follows from the bound. One rule turns checks into a
judgement (:func:`rule`): any failed check -> the claim does not hold; else any check that
cannot be evaluated (no measurement) -> inconclusive; else it holds. A claim may have
:class:`SubClaim` s, each judged by the rule on its own checks; the claim holds only if
every sub-claim holds. Numbers that are reported but not judged are
:class:`Measurement` s.

>>> c = Check("slope", "Crooks slope", 0.98, 0.02, Bound.equal(1.0), "1")
>>> c.passed, c.bound.text()
(True, '= 1 (|z| < 4)')
>>> v = Verdict.from_checks("demo", "a claim", [c], conditions="seed 0")
>>> v.holds, v.badge
(True, 'holds')
>>> Check("ratio", "ratio", None, None, Bound.above(0.9), note="not reached").passed is None
True
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from neqlab.core import units as U
from neqlab.core.errors import NeqlabError
from neqlab.core.i18n import text

Z_MAX = 4.0  # two-sided |z| bound of every statistical check: a correct estimator fails with probability 6e-5
P_MIN = 6.3e-5  # the goodness-of-fit p-value matching |z| < 4
BOUND_KINDS = ("equal", "below", "above", "within")


def _finite(x: Any) -> float | None:
    if x is None or isinstance(x, bool):
        return None if x is None else float(x)
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def fmt(x: float | None, digits: int = 4) -> str:
    """A number for a reader: ``digits`` significant digits, scientific when large or small."""
    if x is None or not math.isfinite(x):
        return "n/a"
    if x == 0:
        return "0"
    if x == int(x) and abs(x) < 1e6:
        return str(int(x))
    a = abs(x)
    if a >= 1e5 or a < 1e-3:
        mant, exp = f"{x:.{max(1, digits - 1)}e}".split("e")
        mant = mant.rstrip("0").rstrip(".")
        return f"{mant}e{int(exp)}"
    return f"{x:.{digits}g}"


def fmt_measure(value: float | None, error: float | None = None, unit: str = "1", lang: str = "en") -> str:
    """``value ± error unit`` with the error's two significant digits setting the precision."""
    v, e = _finite(value), _finite(error)
    u = U.pretty(unit, lang)
    tail = f" {u}" if u else ""
    if v is None:
        return "n/a"
    if e is None or e <= 0 or e < 1e-12 * abs(v):  # no error, or one at round-off: the value alone
        return fmt(v, 6 if e else 4) + tail
    exp = math.floor(math.log10(e)) - 1
    if -4 <= exp <= 4 and abs(v) < 1e6:
        nd = max(0, -exp)
        return f"{v:.{nd}f} ± {e:.{nd}f}{tail}"
    return f"{v:.3e} ± {e:.1e}{tail}"


@dataclass(frozen=True)
class Bound:
    """What a measured value must satisfy.

    kinds: ``equal`` (|measured - value| < z_max standard errors; an error of 0 demands
    exact equality), ``below`` (measured < value, or <= if not strict), ``above``
    (measured >= value, or > if strict), ``within`` (lo <= measured <= hi).
    """

    kind: str
    value: float | None = None
    lo: float | None = None
    hi: float | None = None
    z_max: float | None = None
    strict: bool = False

    def __post_init__(self) -> None:
        if self.kind not in BOUND_KINDS:
            raise NeqlabError(f"bound kind must be one of {', '.join(BOUND_KINDS)}, got {self.kind!r}")
        if self.kind == "within" and not (self.lo is not None and self.hi is not None and self.lo <= self.hi):
            raise NeqlabError(f"a 'within' bound needs lo <= hi, got {self.lo!r}, {self.hi!r}")
        if self.kind != "within" and self.value is None:
            raise NeqlabError(f"a {self.kind!r} bound needs a value")

    @classmethod
    def equal(cls, value: float, z_max: float = Z_MAX) -> Bound:
        return cls("equal", value=float(value), z_max=float(z_max))

    @classmethod
    def exact(cls, value: float) -> Bound:
        """Exact equality (integers, fractions of exact events, bitwise results)."""
        return cls("equal", value=float(value), z_max=0.0)

    @classmethod
    def below(cls, value: float, *, strict: bool = True) -> Bound:
        return cls("below", value=float(value), strict=strict)

    @classmethod
    def above(cls, value: float, *, strict: bool = False) -> Bound:
        return cls("above", value=float(value), strict=strict)

    @classmethod
    def within(cls, lo: float, hi: float) -> Bound:
        return cls("within", lo=float(lo), hi=float(hi))

    def test(self, measured: float | None, error: float | None = None) -> bool | None:
        """True/False, or None if the value (or the error an ``equal`` bound needs) is missing."""
        m = _finite(measured)
        if m is None:
            return None
        if self.kind == "equal":
            if not self.z_max:
                return m == self.value
            e = _finite(error)
            if e is None or e < 0:
                return None
            if e == 0:
                return m == self.value
            return abs(m - self.value) / e < self.z_max
        if self.kind == "below":
            return m < self.value if self.strict else m <= self.value
        if self.kind == "above":
            return m > self.value if self.strict else m >= self.value
        return self.lo <= m <= self.hi

    def z(self, measured: float | None, error: float | None) -> float | None:
        """(measured - value) / error for an ``equal`` bound with a positive error, else None."""
        m, e = _finite(measured), _finite(error)
        if self.kind != "equal" or m is None or e is None or e <= 0:
            return None
        return (m - self.value) / e

    def text(self, unit: str = "1", lang: str = "en") -> str:
        """The bound as a reader writes it: ``< 4``, ``≥ 0.9``, ``= 0.5 (|z| < 4)``, ``∈ [0.9, 1.1]``."""
        u = U.pretty(unit, lang)
        tail = f" {u}" if u else ""
        if self.kind == "equal":
            return f"= {fmt(self.value)}{tail} (|z| < {fmt(self.z_max)})" if self.z_max else f"= {fmt(self.value)}{tail}"
        if self.kind == "below":
            return f"{'<' if self.strict else '≤'} {fmt(self.value)}{tail}"
        if self.kind == "above":
            return f"{'>' if self.strict else '≥'} {fmt(self.value)}{tail}"
        mid, half = 0.5 * (self.lo + self.hi), 0.5 * (self.hi - self.lo)
        if 0 < half < 1e-3 * abs(mid):  # a tight interval reads better as centre ± half-width
            return f"= {fmt(mid)} ± {fmt(half)}{tail}"
        return f"∈ [{fmt(self.lo)}, {fmt(self.hi)}]{tail}"

    def to_dict(self) -> dict[str, Any]:
        if self.kind == "within":
            return {"kind": "within", "lo": self.lo, "hi": self.hi}
        out: dict[str, Any] = {"kind": self.kind, "value": self.value}
        if self.kind == "equal":
            out["z_max"] = self.z_max
        else:
            out["strict"] = self.strict
        return out


@dataclass(frozen=True)
class Check:
    """One judged number: ``measured ± error`` [unit] against ``bound``; ``passed`` follows.

    ``name`` is the stable key (JSON, tests); ``label`` the reader's text in the verdict's
    language; ``note`` says why a value is missing or what the bound means.
    """

    name: str
    label: str
    measured: float | None
    error: float | None
    bound: Bound
    unit: str = "1"
    note: str = ""
    passed: bool | None = field(init=False)

    def __post_init__(self) -> None:
        U.parse(self.unit)
        object.__setattr__(self, "measured", _finite(self.measured))
        object.__setattr__(self, "error", _finite(self.error))
        object.__setattr__(self, "passed", self.bound.test(self.measured, self.error))

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "measured": self.measured, "error": self.error,
                "bound": self.bound.to_dict(), "unit": self.unit, "passed": self.passed, "note": self.note}


@dataclass(frozen=True)
class Measurement:
    """A number reported with the verdict but not judged (a rate, a time, a size)."""

    name: str
    label: str
    value: float | None
    error: float | None = None
    unit: str = "1"

    def __post_init__(self) -> None:
        U.parse(self.unit)
        object.__setattr__(self, "value", _finite(self.value))
        object.__setattr__(self, "error", _finite(self.error))

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "value": self.value, "error": self.error, "unit": self.unit}


def rule(results: Iterable[bool | None]) -> bool | None:
    """The one verdict rule: any False -> False; else any None -> None; else True (None if empty)."""
    results = list(results)
    if any(r is False for r in results):
        return False
    if not results or any(r is None for r in results):
        return None
    return True


@dataclass(frozen=True)
class SubClaim:
    """A part of a claim with its own checks and verdict (``name`` is the stable key)."""

    name: str
    claim: str
    checks: tuple[Check, ...]
    note: str = ""  # the conditions under which this part would come out otherwise

    def __post_init__(self) -> None:
        object.__setattr__(self, "checks", tuple(self.checks))

    @property
    def holds(self) -> bool | None:
        return rule(c.passed for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "claim": self.claim, "holds": self.holds, "note": self.note,
                "checks": [c.to_dict() for c in self.checks]}


@dataclass(frozen=True)
class Verdict:
    """The judgement of one claim: ``holds`` is True, False, or None (inconclusive).

    ``holds`` is the rule applied to the sub-claims: the claim holds only if every
    sub-claim holds. ``narrative`` holds short paragraphs for the reader (what was run,
    what the figure shows, why); all texts are in ``lang``.
    """

    experiment: str
    claim: str
    subclaims: tuple[SubClaim, ...]
    conditions: str = ""
    measurements: tuple[Measurement, ...] = ()
    narrative: tuple[str, ...] = ()
    section: str = ""
    lang: str = "en"

    def __post_init__(self) -> None:
        object.__setattr__(self, "subclaims", tuple(self.subclaims))
        object.__setattr__(self, "measurements", tuple(self.measurements))
        object.__setattr__(self, "narrative", tuple(self.narrative))

    @classmethod
    def from_checks(cls, experiment: str, claim: str, checks: Sequence[Check] = (), *,
                    subclaims: Sequence[SubClaim] = (), conditions: str = "",
                    measurements: Sequence[Measurement] = (), narrative: Sequence[str] = (),
                    section: str = "", lang: str = "en") -> Verdict:
        """A verdict from checks (one implicit sub-claim, the claim itself) or from sub-claims."""
        subs = list(subclaims)
        if checks:
            subs.insert(0, SubClaim("main", claim, tuple(checks)))
        if not subs:
            raise NeqlabError(f"a verdict of {experiment} needs at least one check")
        return cls(experiment, claim, tuple(subs), conditions, tuple(measurements), tuple(narrative), section, lang)

    @property
    def holds(self) -> bool | None:
        return rule(s.holds for s in self.subclaims)

    @property
    def checks(self) -> tuple[Check, ...]:
        return tuple(c for s in self.subclaims for c in s.checks)

    def check(self, name: str) -> Check:
        """The check called ``name`` (KeyError listing the names otherwise)."""
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(f"no check {name!r}; checks: {', '.join(c.name for c in self.checks)}")

    def measurement(self, name: str) -> Measurement:
        for m in self.measurements:
            if m.name == name:
                return m
        raise KeyError(f"no measurement {name!r}; measurements: {', '.join(m.name for m in self.measurements)}")

    @property
    def badge(self) -> str:
        return badge(self.holds, self.lang)

    def to_dict(self) -> dict[str, Any]:
        return {
            "experiment": self.experiment,
            "section": self.section,
            "lang": self.lang,
            "claim": self.claim,
            "holds": self.holds,
            "badge": self.badge,
            "conditions": self.conditions,
            "checks": [c.to_dict() for c in self.checks],
            "subclaims": [s.to_dict() for s in self.subclaims],
            "measurements": [m.to_dict() for m in self.measurements],
            "narrative": list(self.narrative),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def _repr_html_(self) -> str:
        """Rich display in Jupyter: badge, claim, sub-claims with their check tables, conditions."""
        e = lambda x: html.escape(str(x), quote=True)  # noqa: E731
        t = lambda key, **kw: text(key, self.lang, **kw)  # noqa: E731
        out = [f'<div class="neqlab-verdict" lang="{e(self.lang)}">',
               f"<p><b>{e(self.experiment)}</b> <span style='color:#5f6368'>{e(self.section)}</span> "
               f"{_badge_html(self.holds, self.lang)}</p>",
               f"<p style='border-left:4px solid #90a4ae;padding-left:.6em'><b>{e(t('common.claim'))}</b>: "
               f"{e(self.claim)}</p>"]
        for s in self.subclaims:
            if len(self.subclaims) > 1 or s.name != "main":
                out.append(f"<p>{_badge_html(s.holds, self.lang)} {e(s.claim)}</p>")
            if s.note:
                out.append(f"<p style='color:#5f6368;font-size:.9em'>{e(s.note)}</p>")
            rows = check_table(s.checks, self.lang)
            out.append(_table_html(rows[0], rows[1:], [BADGE_COLOURS[c.passed] for c in s.checks]))
        if self.measurements:
            out.append(f"<p><b>{e(t('report.measurements'))}</b></p>")
            out.append(_table_html((t("report.col_quantity"), t("report.col_measured")),
                                   [(m.label, fmt_measure(m.value, m.error, m.unit, self.lang))
                                    for m in self.measurements]))
        out.append(f"<p style='font-size:.9em'><b>{e(t('common.conditions'))}</b>: {e(self.conditions)}</p>")
        out += [f"<p>{e(p)}</p>" for p in self.narrative]
        return "\n".join(out + ["</div>"])

    def _repr_markdown_(self) -> str:
        """The verdict as Markdown: badge, claim, a check table per sub-claim, conditions."""
        t = lambda key, **kw: text(key, self.lang, **kw)  # noqa: E731
        out = [f"**{self.experiment}** {self.section}: **{self.badge}**", "", f"> {t('common.claim')}: {self.claim}"]
        for s in self.subclaims:
            out.append("")
            if len(self.subclaims) > 1 or s.name != "main":
                out += [f"**[{badge(s.holds, self.lang)}]** {s.claim}", ""]
            if s.note:
                out += [f"*{s.note}*", ""]
            out += _table_markdown(check_table(s.checks, self.lang))
        if self.measurements:
            out += ["", f"**{t('report.measurements')}**", ""]
            out += _table_markdown([(t("report.col_quantity"), t("report.col_measured"))] + [(m.label, fmt_measure(m.value, m.error, m.unit, self.lang))
                                                  for m in self.measurements])
        out += ["", f"{t('common.conditions')}: {self.conditions}"]
        out += [x for p in self.narrative for x in ("", p)]
        return "\n".join(out) + "\n"

    def lines(self) -> Iterator[str]:
        """The verdict as plain text lines (the CLI's output), in the verdict's language."""
        t = lambda key, **kw: text(key, self.lang, **kw)  # noqa: E731
        yield f"{self.experiment}: {self.badge.upper() if self.lang == 'en' else self.badge}"
        yield f"  {t('common.claim')}: {self.claim}"
        for s in self.subclaims:
            if len(self.subclaims) > 1 or s.name != "main":
                yield f"  [{badge(s.holds, self.lang)}] {s.claim}"
            for c in s.checks:
                mark = {True: "ok", False: "FAIL", None: "?"}[c.passed]
                value = (fmt_measure(c.measured, c.error, c.unit, self.lang) if c.measured is not None
                         else f"{t('common.not_measured')} ({c.note})")
                yield f"    {mark:4s} {c.label}: {value}  ({t('common.bound')} {c.bound.text(c.unit, self.lang)})"
        for m in self.measurements:
            yield f"    •    {m.label}: {fmt_measure(m.value, m.error, m.unit, self.lang)}"
        yield f"  {t('common.conditions')}: {self.conditions}"


def check_table(checks: Sequence[Check], lang: str = "en") -> list[tuple[str, str, str, str]]:
    """A check table as texts: a header row, then (label, value ± error, bound, result) per check.

    >>> check_table([Check("slope", "Crooks slope", 0.98, 0.02, Bound.equal(1.0))])[1]
    ('Crooks slope', '0.980 ± 0.020', '= 1 (|z| < 4)', '✓ pass')
    """
    t = lambda key, **kw: text(key, lang, **kw)  # noqa: E731
    rows = [(t("report.col_quantity"), t("report.col_measured"), t("report.col_bound"), t("report.col_result"))]
    for c in checks:
        if c.measured is None:
            value = t("common.not_measured") + (f" ({c.note})" if c.note else "")
        else:
            value = fmt_measure(c.measured, c.error, c.unit, lang)
        key = {True: "pass", False: "fail", None: "unknown"}[c.passed]
        mark = {"pass": "✓", "fail": "✗", "unknown": "?"}[key]
        rows.append((c.label, value, c.bound.text(c.unit, lang), f"{mark} {t('common.mark.' + key)}"))
    return rows


BADGE_COLOURS = {True: "#2e7d32", False: "#c62828", None: "#8d6e63"}  # as in the report


def _badge_html(holds: bool | None, lang: str) -> str:
    return (f"<span style='display:inline-block;padding:.05em .6em;border-radius:1em;font-weight:600;"
            f"color:#fff;background:{BADGE_COLOURS[holds]}'>{html.escape(badge(holds, lang))}</span>")


def _table_html(header: Sequence[str], rows: Sequence[Sequence[str]], last_colours: Sequence[str] = ()) -> str:
    """An HTML table; ``last_colours`` colours the last cell of each row (pass/fail)."""
    e = lambda x: html.escape(str(x), quote=True)  # noqa: E731
    head = "<thead><tr>" + "".join(f"<th style='text-align:left'>{e(h)}</th>" for h in header) + "</tr></thead>"
    body = []
    for i, row in enumerate(rows):
        cells = [f"<td style='text-align:left'>{e(x)}</td>" for x in row]
        if i < len(last_colours):
            cells[-1] = f"<td style='text-align:left;font-weight:600;color:{last_colours[i]}'>{e(row[-1])}</td>"
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table>{head}<tbody>{''.join(body)}</tbody></table>"


def _table_markdown(rows: Sequence[Sequence[str]]) -> list[str]:
    """Markdown table lines; the first row is the header ('|' in a cell escaped)."""
    cell = lambda x: str(x).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines = ["| " + " | ".join(cell(x) for x in rows[0]) + " |", "|" + "---|" * len(rows[0])]
    return lines + ["| " + " | ".join(cell(x) for x in row) + " |" for row in rows[1:]]


def badge(holds: bool | None, lang: str = "en") -> str:
    """``holds`` / ``does not hold`` / ``inconclusive`` in ``lang``."""
    key = {True: "holds", False: "does_not_hold", None: "inconclusive"}[holds]
    return text(f"common.badge.{key}", lang)


def config_of(ds) -> dict[str, Any]:
    """The config a dataset was produced with (from its ``config`` attribute)."""
    return json.loads(ds.attrs["config"])
