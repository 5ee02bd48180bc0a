"""Regenerate the config-key tables of docs/glossary.md from the Config classes.

Run: ``python docs/make_glossary.py`` (rewrites docs/glossary.md in place; the test
tests/docs/test_docs.py fails when a table is stale).
"""

from __future__ import annotations

import re
from pathlib import Path

from neqlab.experiments import REGISTRY

PATH = Path(__file__).resolve().parent / "glossary.md"


def row(key: str, info: dict) -> str:
    d = info["default"]
    d = ", ".join(str(x) for x in d) if isinstance(d, (tuple, list)) else str(d)
    return f"| `{key}` | {d} | {info['allowed']} | {info['unit'] or '–'} | {info['doc']} |"


def table(name: str) -> str:
    head = "| key | default | allowed | unit | meaning |\n|---|---|---|---|---|\n"
    return head + "\n".join(row(k, v) for k, v in REGISTRY[name].Config.field_info().items()) + "\n"


def main() -> None:
    text = PATH.read_text()
    for name in REGISTRY:
        pattern = re.compile(rf"(### `{name}`\n\n)\| key \|.*?\n(?=\n|\Z)", re.S)
        if pattern.search(text):
            text = pattern.sub(lambda m: m.group(1) + table(name), text, count=1)
        else:
            text = text.rstrip("\n") + f"\n\n### `{name}`\n\n" + table(name)
    PATH.write_text(text)


if __name__ == "__main__":
    main()
