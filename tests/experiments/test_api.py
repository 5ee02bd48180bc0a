"""The Python API: scales, configs as TOML that --config reads back, rich verdicts, inline figures."""

from __future__ import annotations

import json
import math
import tomllib

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import neqlab
from neqlab.core.errors import ConfigError
from neqlab.experiments import REGISTRY
from neqlab.experiments._base import Bound, Check, Measurement, SubClaim, Verdict, check_table
from neqlab.experiments.api import _toml_value, config_toml, display_figures_inline, run_config


# ------------------------------------------------------------------ scales


def test_config_and_run_start_from_the_scale_asked_for():
    quick = REGISTRY["relaxation"].SCALES["quick"]
    assert neqlab.config("relaxation", scale="quick") == quick
    assert neqlab.config("relaxation") == neqlab.config("relaxation", scale="default") == REGISTRY["relaxation"].Config()
    with pytest.raises(ConfigError, match=r"^scale must be one of quick, default, full, got 'huge'$"):
        neqlab.run("relaxation", scale="huge")


def test_run_relaxation_at_quick_scale_keeps_the_scale_under_overrides():
    # quick scale with the heavy keys shrunk to SMALL: every other key (dt = 0.003,
    # n_bins = 16, ...) must come from quick, not from the default scale
    small = REGISTRY["relaxation"].SMALL
    heavy = ("n_particles", "density", "t_expansion", "t_contact", "t_equilibrate", "n_frames", "sweep_sizes",
             "n_replicas", "t_sample", "n_samples")
    ds = neqlab.run("relaxation", scale="quick", seed=3, **{k: getattr(small, k) for k in heavy})
    quick = REGISTRY["relaxation"].SCALES["quick"]
    expected = neqlab.config("relaxation", scale="quick", seed=3, **{k: getattr(small, k) for k in heavy})
    assert json.loads(ds.attrs["config"]) == expected.to_dict()
    assert expected.dt == quick.dt != REGISTRY["relaxation"].Config().dt


@pytest.mark.slow
def test_run_relaxation_at_quick_scale():
    ds = neqlab.run("relaxation", scale="quick")
    assert json.loads(ds.attrs["config"]) == REGISTRY["relaxation"].SCALES["quick"].to_dict()
    assert neqlab.verdict(ds).holds in (True, False, None)


# ------------------------------------------------------------------ config as TOML


@pytest.mark.parametrize("name", list(REGISTRY))
@pytest.mark.parametrize("scale", ["quick", "default", "full"])
def test_config_toml_reads_back_to_the_same_config(name, scale):
    exp = REGISTRY[name]
    text = config_toml(name, scale=scale)
    data = tomllib.loads(text)
    assert list(data) == exp.Config.keys()  # every key, in declaration order
    assert exp.Config.from_mapping(data) == exp.SCALES[scale]
    assert neqlab.config(name, scale="full" if scale != "full" else "quick", **data) == exp.SCALES[scale]
    info = exp.Config.field_info()
    blocks = text.split("\n\n")[1:]
    assert len(blocks) == len(info)
    for block, (key, field) in zip(blocks, info.items()):
        doc, allowed, assignment = block.splitlines()
        assert doc.startswith(f"# {field['doc'] or key}") and (f"[{field['unit']}]" in doc if field["unit"] else True)
        assert allowed.startswith(f"# {field['allowed']}; default ")
        assert assignment.startswith(f"{key} = ")


def test_config_toml_of_a_config_and_of_a_result():
    small = REGISTRY["macrostates"].SMALL
    assert REGISTRY["macrostates"].Config.from_mapping(tomllib.loads(config_toml(small))) == small
    edited = tomllib.loads(config_toml(small, n_rings=7))
    assert edited["n_rings"] == 7
    ds = run_config("macrostates", small)
    text = config_toml(ds)
    assert "the config of a saved result" in text.splitlines()[0]
    assert REGISTRY["macrostates"].Config.from_mapping(tomllib.loads(text)) == small
    with pytest.raises(ConfigError, match="scale applies to an experiment name"):
        config_toml(small, scale="quick")
    with pytest.raises(ConfigError, match="config source must be an experiment name, a Config or a result Dataset"):
        config_toml(3.5)
    with pytest.raises(ConfigError, match="experiment must be one of relaxation, .*got 'nope'"):
        config_toml("nope")


def test_the_cli_runs_config_toml_unchanged_to_the_same_bits(tmp_path, capsys):
    from neqlab.cli.main import main

    small = REGISTRY["macrostates"].SMALL
    (tmp_path / "m.toml").write_text(config_toml(small), encoding="utf-8")
    code = main(["run", "macrostates", "--config", str(tmp_path / "m.toml"), "--out", str(tmp_path / "m.nc"),
                 "--quiet", "--workers", "1"])
    capsys.readouterr()
    assert code == 0
    got = neqlab.load(tmp_path / "m.nc")
    ref = run_config("macrostates", small)
    assert json.loads(got.attrs["config"]) == json.loads(ref.attrs["config"])
    for name in ref.variables:
        assert np.array_equal(got[name].values, ref[name].values), name


@settings(max_examples=150, deadline=None)
@given(st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**63), 2**63 - 1),
    st.booleans(),
    st.text(),
    st.lists(st.floats(allow_nan=False), max_size=5),
    st.lists(st.integers(-(2**63), 2**63 - 1), max_size=5),
))
@example('a\x7fb\n\t"\\ 𐀀 é')
@example(-0.0)
@example(5e-324)
def test_toml_values_read_back_bit_for_bit(value):
    back = tomllib.loads(f"k = {_toml_value(value)}")["k"]
    if isinstance(value, float) and math.isnan(value):
        assert math.isnan(back)
    else:
        assert back == value and type(back) is type(value)
        if isinstance(value, float):
            assert math.copysign(1.0, back) == math.copysign(1.0, value)


# ------------------------------------------------------------------ rich verdicts


def demo_verdict(lang="en"):
    checks = [Check("slope", "Crooks slope <a>", 0.98, 0.02, Bound.equal(1.0), "1"),
              Check("rate", "rate | growth", 3.0, None, Bound.below(2.0), "tau^-1"),
              Check("gap", "gap", None, None, Bound.above(0.5), note="too few samples")]
    subs = [SubClaim("first", "the first part", checks[:2], note="would hold at larger N"),
            SubClaim("second", "the second part", checks[2:])]
    return Verdict.from_checks("demo", "a claim & more", subclaims=subs, conditions="seed 0",
                               measurements=[Measurement("lam", "Lyapunov exponent", 2.5, 0.1, "tau^-1")],
                               narrative=["What was run."], section="§9 Demo", lang=lang)


def test_check_table_gives_value_bound_and_result_texts():
    rows = check_table(demo_verdict().checks)
    assert rows[0] == ("quantity", "measured", "bound", "result")
    assert rows[1] == ("Crooks slope <a>", "0.980 ± 0.020", "= 1 (|z| < 4)", "✓ pass")
    assert rows[2] == ("rate | growth", "3 1/τ", "< 2 1/τ", "✗ fail")
    assert rows[3] == ("gap", "not measured (too few samples)", "≥ 0.5", "? not evaluated")


def test_verdict_html_shows_badges_subclaims_and_checks_escaped():
    v = demo_verdict()
    h = v._repr_html_()
    assert v.holds is False and ">does not hold</span>" in h
    for part in ("the first part", "the second part", "would hold at larger N", "0.980 ± 0.020", "= 1 (|z| &lt; 4)",
                 "✓ pass", "✗ fail", "? not evaluated", "Crooks slope &lt;a&gt;", "a claim &amp; more", "§9 Demo",
                 "2.50 ± 0.10 1/τ", "seed 0", "What was run."):
        assert part in h, part
    assert "<a>" not in h
    assert h.count("<table>") == 3  # two sub-claims and the measurements


def test_verdict_markdown_is_a_table_per_subclaim():
    md = demo_verdict()._repr_markdown_()
    assert md.startswith("**demo** §9 Demo: **does not hold**")
    assert "| Crooks slope <a> | 0.980 ± 0.020 | = 1 (\\|z\\| < 4) | ✓ pass |" in md
    assert "| rate \\| growth | 3 1/τ | < 2 1/τ | ✗ fail |" in md
    assert "**[inconclusive]** the second part" in md
    tables, rows = [], []
    for line in md.splitlines() + [""]:
        if line.startswith("|"):
            rows.append(line.replace("\\|", "").count("|") - 1)  # cells in the row
        elif rows:
            tables, rows = tables + [rows], []
    assert tables == [[4, 4, 4, 4], [4, 4, 4], [2, 2, 2]]  # header, rule, rows: same width throughout


def test_verdict_rich_display_is_in_the_verdicts_language():
    h, md = demo_verdict("ja")._repr_html_(), demo_verdict("ja")._repr_markdown_()
    assert "成り立たない" in h and "判定基準" in h and "判定基準" in md


def test_ipython_picks_up_the_rich_verdict():
    formatters = pytest.importorskip("IPython.core.formatters")
    data, _ = formatters.DisplayFormatter().format(demo_verdict())
    assert {"text/html", "text/markdown"} <= set(data)


# ------------------------------------------------------------------ inline figures


class _Shell:
    def __init__(self):
        from IPython.core.formatters import DisplayFormatter

        self.display_formatter = DisplayFormatter()


def test_figures_made_without_pyplot_display_as_png_once_registered():
    pytest.importorskip("IPython")
    from matplotlib.figure import Figure

    shell = _Shell()
    fig = Figure()
    fig.add_subplot().plot([0, 1])
    assert "image/png" not in shell.display_formatter.format(fig)[0]  # matplotlib alone gives text only
    assert display_figures_inline(shell) is True
    png = shell.display_formatter.format(fig)[0]["image/png"]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert display_figures_inline(shell) is False  # once


def test_a_figure_format_the_user_chose_is_left_alone():
    pytest.importorskip("IPython")
    from matplotlib.figure import Figure

    shell = _Shell()
    shell.display_formatter.formatters["image/svg+xml"].for_type(Figure, lambda fig: "<svg/>")
    assert display_figures_inline(shell) is False
    assert "image/png" not in shell.display_formatter.format(Figure())[0]
