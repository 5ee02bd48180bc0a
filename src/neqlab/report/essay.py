"""Run every registered experiment at a scale and write the essay report.

Output directory layout::

    DIR/index.html          the report in the chosen language (offline, figures inlined)
    DIR/index.en.html       the report in English
    DIR/index.ja.html       the report in Japanese
    DIR/summary.json        {"version", "scale", "lang", "date", "claims": [verdict + "section",
                            "figure", "data", "config"]} in the chosen language
    DIR/summary.en.json, DIR/summary.ja.json   the same in each language
    DIR/figures/NAME.png
    DIR/data/NAME.nc

The run is resumable: a finished experiment whose saved result has the same config is
reused, and an interrupted one resumes from its chunk checkpoints (``data/NAME.nc.ckpt``).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from neqlab.core.errors import ConfigError
from neqlab.experiments import REGISTRY
from neqlab.experiments.api import make_config, plot, run_config, verdict
from neqlab.io.provenance import version
from neqlab.io.store import load, save
from neqlab.plotting import figure_bytes
from neqlab.report.html import render_index
from neqlab.runner import Runner

SCALES = ("quick", "default", "full")


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _reusable(path: Path, config_json: str) -> bool:
    if not path.exists():
        return False
    try:
        ds = load(path)
    except ConfigError:
        return False
    return ds.attrs.get("config") == config_json and ds.attrs.get("neqlab_version") == version()


def run_essay(
    out: str | os.PathLike = "results/essay",
    *,
    scale: str = "quick",
    workers: int | None = None,
    backend: str = "local",
    scheduler: str | None = None,
    progress: bool = True,
    names: list[str] | None = None,
    lang: str | None = "en",
    configs: dict | None = None,
    log=None,
) -> dict:
    """Run the experiments (all, or ``names``) at ``scale``; write the report in both
    languages (``index.html`` in ``lang``); return the summary in ``lang``.

    ``configs`` (name -> Config) replaces the scale's config of those experiments (tests
    use the SMALL configs; the report then names the scale ``custom``).
    """
    from neqlab.core.i18n import LANGS, resolve_lang

    lang = resolve_lang(lang)
    if scale not in SCALES:
        raise ConfigError(f"scale must be one of {', '.join(SCALES)}, got {scale!r}")
    names = list(REGISTRY) if names is None else names
    for n in names:
        if n not in REGISTRY:
            raise ConfigError(f"experiment must be one of {', '.join(REGISTRY)}, got {n!r}")
    log = log or (lambda msg: print(msg, file=sys.stderr))
    root = Path(out)
    try:
        for sub in ("", "figures", "data"):
            (root / sub).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"out must be a writable directory, got {str(root)!r} ({exc.strerror})") from None
    if not os.access(root, os.W_OK):
        raise ConfigError(f"out must be a writable directory, got {str(root)!r} (permission denied)")

    claims: dict[str, list] = {lg: [] for lg in LANGS}
    figures = {}
    for name in names:
        mod = REGISTRY[name]
        cfg = (configs or {}).get(name) or make_config(name, scale=scale)
        data = root / "data" / f"{name}.nc"
        fig_path = root / "figures" / f"{name}.png"
        t0 = time.monotonic()
        if _reusable(data, cfg.to_json()):
            ds = load(data)
            log(f"{name}: reusing {data}")
        else:
            ckpt = data.with_name(data.name + ".ckpt")
            with Runner(backend=backend, workers=workers, scheduler=scheduler,
                        checkpoint_dir=ckpt, progress=progress) as runner:
                ds = run_config(name, cfg, runner=runner)
            save(ds, data)
            _clear(ckpt)
            log(f"{name}: ran in {time.monotonic() - t0:.1f} s")
        png = figure_bytes(plot(ds), "png")
        _atomic_write(fig_path, png)
        figures[name] = png
        for lg in LANGS:
            v = verdict(ds, lang=lg)
            entry = v.to_dict()
            entry.update({
                "section": entry.get("section") or mod.SECTION,
                "figure": f"figures/{name}.png",
                "data": f"data/{name}.nc",
                "config": json.loads(ds.attrs["config"]),
            })
            claims[lg].append(entry)
        log(f"{name}: {verdict(ds, lang='en').badge}")
    date = time.strftime("%Y-%m-%d")
    label = "custom" if configs else scale
    summaries = {lg: {"version": version(), "scale": label, "lang": lg, "date": date, "claims": claims[lg]}
                 for lg in LANGS}
    for lg in LANGS:
        other = [x for x in LANGS if x != lg][0]
        _atomic_write(root / f"summary.{lg}.json", json.dumps(summaries[lg], indent=2, ensure_ascii=False).encode())
        _atomic_write(root / f"index.{lg}.html",
                      render_index(summaries[lg], figures, lg, other_href=f"index.{other}.html").encode())
    summary = summaries[lang]
    other = [x for x in LANGS if x != lang][0]
    _atomic_write(root / "summary.json", json.dumps(summary, indent=2, ensure_ascii=False).encode())
    _atomic_write(root / "index.html", render_index(summary, figures, lang, other_href=f"index.{other}.html").encode())
    return summary


def _clear(ckpt: Path) -> None:
    if ckpt.exists():
        for p in ckpt.iterdir():
            p.unlink(missing_ok=True)
        ckpt.rmdir()
