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
import shutil
import sys
import tempfile
import time
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import FIRST_EXCEPTION, wait
from pathlib import Path

from neqlab.core.config import shown
from neqlab.core.errors import ConfigError
from neqlab.experiments import REGISTRY
from neqlab.experiments.api import make_config, plot, run_config, verdict
from neqlab.io.provenance import version
from neqlab.io.store import TEMP_RESERVE, atomic_write, check_output_path, load, save
from neqlab.plotting import figure_bytes
from neqlab.report.html import render_index
from neqlab.runner import Runner
from neqlab.runner.scheduler import check_scheduler, resolve_backend

SCALES = ("quick", "default", "full")
SUBDIRS = ("figures", "data")


def _write_bytes(path: Path, data: bytes) -> None:
    """Write a report file through :func:`neqlab.io.store.atomic_write` (temporary + rename)."""
    with atomic_write(path) as tmp:
        tmp.write_bytes(data)


def check_report_dir(out: str | os.PathLike, names: list[str]) -> Path:
    """The report directory, checked without creating anything (ConfigError otherwise).

    ``out`` and its ``figures``/``data`` must be directories or absent, every file the
    report writes there must be writable (names within the file system's limit), and
    the nearest existing ancestor must be a directory where one can really be created
    (a temporary directory is made and removed there: read-only file systems, ``/proc``).
    """
    text = os.fspath(out) if isinstance(out, (str, os.PathLike)) else out
    if not isinstance(text, str) or not text.strip() or "\x00" in text:
        raise ConfigError(f"out must be a writable directory (a path), got {shown(text)}")
    root = Path(text)

    def bad(why: str) -> ConfigError:
        return ConfigError(f"out must be a writable directory, got {shown(text)} ({why})")

    for d in (root, *(root / s for s in SUBDIRS)):
        if os.path.lexists(d) and not d.is_dir():
            raise bad(f"{shown(str(d))} exists and is not a directory")
    anchor = root
    while not os.path.lexists(anchor) and anchor != anchor.parent:
        anchor = anchor.parent
    if not anchor.is_dir():
        raise bad(f"{shown(str(anchor))} is not a directory")
    if not os.access(anchor, os.W_OK | os.X_OK):
        raise bad("permission denied")
    try:  # prove it: os.access says yes to root on read-only places such as /proc
        shutil.rmtree(tempfile.mkdtemp(prefix=".neqlab-", dir=anchor))
    except OSError as exc:
        raise bad(exc.strerror or type(exc).__name__) from None
    files = [root / "index.html", root / "summary.json", root / "index.en.html", root / "summary.en.json"]
    files += [root / "figures" / f"{n}.png" for n in names]
    files += [root / "data" / f"{n}.nc" for n in names]
    for f in files:
        try:
            check_output_path(f, name="out", reserve=max(TEMP_RESERVE, len(".ckpt")))
        except ConfigError as exc:
            raise bad(str(exc).removeprefix("out must be ")) from None
    for n in names:
        ckpt = root / "data" / f"{n}.nc.ckpt"
        if os.path.lexists(ckpt) and not ckpt.is_dir():
            raise bad(f"the checkpoint directory {shown(str(ckpt))} exists and is not a directory")
    return root


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
    backend: str | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    names: list[str] | None = None,
    lang: str | None = "en",
    configs: dict | None = None,
    log=None,
    side_by_side: bool = True,
) -> dict:
    """Run the experiments (all, or ``names``) at ``scale``; write the report in both
    languages (``index.html`` in ``lang``); return the summary in ``lang``.

    ``configs`` (name -> Config) replaces the scale's config of those experiments (tests
    use the SMALL configs; the report then names the scale ``custom``). ``backend``:
    ``local`` or ``dask`` (None: ``dask`` if a ``scheduler`` is given, else ``local``).
    Everything (language, scale, names, backend, workers, scheduler, the output
    directory) is checked before any directory is created; a scheduler must answer.
    With the local backend and two workers or more, experiments run two at a time on one
    shared pool of workers (:func:`_run_side_by_side`; ``side_by_side=False``: one at a
    time, each with all the workers); the results are the same bits either way.
    """
    from neqlab.core.i18n import LANGS, resolve_lang

    lang = resolve_lang(lang)
    if scale not in SCALES:
        raise ConfigError(f"scale must be one of {', '.join(SCALES)}, got {shown(scale)}")
    names = list(REGISTRY) if names is None else names
    for n in names:
        if not isinstance(n, str) or n not in REGISTRY:
            raise ConfigError(f"experiment must be one of {', '.join(REGISTRY)}, got {shown(n)}")
    backend, scheduler = resolve_backend(backend, scheduler)
    Runner(backend=backend, workers=workers, scheduler=scheduler)  # checks workers; starts nothing
    root = check_report_dir(out, names)
    if scheduler is not None:
        check_scheduler(scheduler)
    log = log or (lambda msg: print(msg, file=sys.stderr))
    try:
        for sub in ("", *SUBDIRS):
            (root / sub).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"out must be a writable directory, got {str(root)!r} ({exc.strerror})") from None

    claims: dict[str, list] = {lg: [] for lg in LANGS}
    figures = {}

    def finish(name: str, ds) -> tuple[bytes, dict]:
        """The figure (written) and the verdict in each language of one result."""
        png = figure_bytes(plot(ds), "png")
        _write_bytes(root / "figures" / f"{name}.png", png)
        entries, badge = {}, None
        for lg in LANGS:
            v = verdict(ds, lang=lg)
            badge = v.badge if lg == "en" else badge  # the log line stays English, as before
            entry = v.to_dict()
            entry.update({
                "section": entry.get("section") or REGISTRY[name].SECTION,
                "figure": f"figures/{name}.png",
                "data": f"data/{name}.nc",
                "config": json.loads(ds.attrs["config"]),
            })
            entries[lg] = entry
        log(f"{name}: {badge}")
        return png, entries

    def compute(name: str, cfg, data: Path, pool=None, rank: int = 0):
        """Run one experiment (its runner on ``pool`` if given), save and log it."""
        t0 = time.monotonic()
        ckpt = data.with_name(data.name + ".ckpt")
        with Runner(backend=backend, workers=workers, scheduler=scheduler, checkpoint_dir=ckpt, progress=progress,
                    pool=pool, priority=rank) as runner:
            ds = run_config(name, cfg, runner=runner)
        if runner.rejected_chunks:
            log(f"{name}: recomputed {runner.rejected_chunks} corrupt or foreign checkpoint chunk(s) in {ckpt}")
        save(ds, data)
        _clear(ckpt)
        log(f"{name}: ran in {time.monotonic() - t0:.1f} s")
        return ds

    # each result's figure and verdicts are made on a second thread while the next
    # experiment runs (figures are drawn without pyplot: no shared state)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="neqlab-report") as finishing:
        pending: dict = {}
        todo = []
        for name in names:
            cfg = (configs or {}).get(name) or make_config(name, scale=scale)
            data = root / "data" / f"{name}.nc"
            if _reusable(data, cfg.to_json()):
                ds = load(data)
                log(f"{name}: reusing {data}")
                pending[name] = finishing.submit(finish, name, ds)
            else:
                todo.append((name, cfg, data))
        n_workers = Runner(backend=backend, workers=workers).n_workers
        if backend != "local" or n_workers < 2 or len(todo) < 2 or not side_by_side:
            for name, cfg, data in todo:
                pending[name] = finishing.submit(finish, name, compute(name, cfg, data))
        else:
            def done(name, ds):
                pending[name] = finishing.submit(finish, name, ds)

            _run_side_by_side(todo, compute, done, n_workers)
        for name in names:
            figures[name], entries = pending[name].result()
            for lg in LANGS:
                claims[lg].append(entries[lg])
    date = time.strftime("%Y-%m-%d")
    label = "custom" if configs else scale
    summaries = {lg: {"version": version(), "scale": label, "lang": lg, "date": date, "claims": claims[lg]}
                 for lg in LANGS}
    for lg in LANGS:
        other = [x for x in LANGS if x != lg][0]
        _write_bytes(root / f"summary.{lg}.json", json.dumps(summaries[lg], indent=2, ensure_ascii=False).encode())
        _write_bytes(root / f"index.{lg}.html",
                     render_index(summaries[lg], figures, lg, other_href=f"index.{other}.html").encode())
    summary = summaries[lang]
    other = [x for x in LANGS if x != lang][0]
    _write_bytes(root / "summary.json", json.dumps(summary, indent=2, ensure_ascii=False).encode())
    _write_bytes(root / "index.html", render_index(summary, figures, lang, other_href=f"index.{other}.html").encode())
    return summary


SIDE_BY_SIDE = 2  # experiments at work at once when the local backend has two workers or more


def _run_side_by_side(todo, compute, done, n_workers: int) -> None:
    """Run the experiments of ``todo`` (name, config, result path) two at a time, their
    runners sharing one pool of ``n_workers`` threads (:class:`~neqlab.runner.pool.SharedPool`).

    The dearest (by its ``run.estimate``) starts first and its items are served first;
    the other one's items fill the cores it leaves idle, so the cores stay busy through
    the experiments' serial stretches and last items. A second experiment starts only if
    both fit in the available memory together. Results are those of one experiment at a
    time (an item's result does not depend on the worker that ran it). ``done(name, ds)``
    is called as each one ends. On an error or Ctrl-C, the queued items are dropped, the
    running ones end, and the exception is raised (finished chunks stay checkpointed).
    """
    from neqlab.experiments.api import get
    from neqlab.io.store import available_memory
    from neqlab.runner.pool import SharedPool

    def cost(name, cfg):
        est = getattr(get(name).module("run"), "estimate", None)
        return est(cfg) if est is not None else None

    costs = {name: cost(name, cfg) for name, cfg, _ in todo}
    order = sorted(todo, key=lambda t: -(costs[t[0]].seconds if costs[t[0]] is not None else 0.0))
    avail = available_memory()
    room = threading.Condition()
    in_use = [0.0, 0]  # memory of the experiments at work [bytes], how many

    def one(rank: int, name: str, cfg, data: Path):
        need = costs[name].memory_bytes if costs[name] is not None else 0.0
        with room:  # wait until it fits beside the one at work (one alone always runs)
            room.wait_for(lambda: in_use[1] == 0 or avail is None or in_use[0] + need <= avail)
            in_use[0] += need
            in_use[1] += 1
        try:
            if stop.is_set():
                return
            done(name, compute(name, cfg, data, pool, rank))
        finally:
            with room:
                in_use[0] -= need
                in_use[1] -= 1
                room.notify_all()

    stop = threading.Event()
    with SharedPool(n_workers) as pool, \
            ThreadPoolExecutor(max_workers=SIDE_BY_SIDE, thread_name_prefix="neqlab-essay") as lanes:
        futures = [lanes.submit(one, rank, *item) for rank, item in enumerate(order)]
        try:
            left = set(futures)
            while left:  # short waits: Ctrl-C reaches this thread at once; the first error ends all
                finished, left = wait(left, timeout=0.2, return_when=FIRST_EXCEPTION)
                for fut in finished:
                    fut.result()
        except BaseException:
            stop.set()
            for fut in futures:
                fut.cancel()
            pool.shutdown()  # queued items dropped, running ones end; an experiment's next map is refused
            raise


def _clear(ckpt: Path) -> None:
    if ckpt.exists():
        for p in ckpt.iterdir():
            p.unlink(missing_ok=True)
        ckpt.rmdir()
