"""The docs a user needs exist and name what the code has."""

from pathlib import Path

import pytest

from neqlab.experiments import REGISTRY

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_experiment_has_a_page_with_its_figure_and_command(name):
    page = ROOT / "docs" / "experiments" / f"{name}.md"
    assert page.is_file()
    text = page.read_text()
    assert f"neqlab run {name}" in text
    assert (ROOT / "docs" / "figures" / f"{name}.png").is_file()


def _glossary_row(key: str, info: dict) -> str:
    d = info["default"]
    d = ", ".join(str(x) for x in d) if isinstance(d, (tuple, list)) else str(d)
    return f"| `{key}` | {d} | {info['allowed']} | {info['unit'] or '–'} | {info['doc']} |"


def test_glossary_lists_every_config_key_as_the_code_declares_it():
    # each experiment's table must be exactly the rows generated from its Config: no key missing,
    # no stale default, range or meaning, no key the code no longer has
    text = (ROOT / "docs" / "glossary.md").read_text()
    for name, mod in REGISTRY.items():
        section = text.split(f"### `{name}`", 1)
        assert len(section) == 2, name
        body = section[1].split("### ", 1)[0]
        rows = [line for line in body.splitlines() if line.startswith("| `")]
        expected = [_glossary_row(k, v) for k, v in mod.Config.field_info().items()]
        for row in expected:
            assert row in rows, f"docs/glossary.md, {name}: expected the row\n{row}"
        for row in rows:
            assert row in expected, f"docs/glossary.md, {name}: stale row\n{row}"


def test_readme_quick_start_has_the_two_commands_first():
    text = (ROOT / "README.md").read_text()
    quick = text.split("## Quick start", 1)[1]
    commands = [line.split()[0:2] for line in quick.splitlines() if line.startswith("    make ")]
    assert commands[:2] == [["make", "demo"], ["make", "test"]]
