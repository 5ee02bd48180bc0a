"""``neqlab run`` and ``neqlab essay``: check everything, then run.

Order of ``run`` (each step only after the previous one passed; nothing is created
before step 5):

1. language, experiment name, config (file, ``--set``, ``--seed``, ``--scale``);
2. output file and its checkpoint directory (creates nothing);
3. workers, backend, scheduler (a scheduler must answer within 5 s);
4. the resource estimate: refused when its memory exceeds what is available (``--force``);
5. the run (progress on stderr after a second), the save, the verdict.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from neqlab.cli import checks
from neqlab.cli.results import verdict_text

ANNOUNCE_SECONDS = 2.0  # print the estimate before runs expected to take longer than this [s]


def cmd_run(args) -> int:
    from neqlab.core.i18n import resolve_lang
    from neqlab.experiments.api import get, make_config

    lang = resolve_lang(args.lang)
    exp = get(args.name)
    values = checks.config_values(args.name, args.config, args.sets, args.seed)
    cfg = make_config(args.name, values, scale=args.scale)
    out, ckpt = checks.result_output(args.name, args.out)
    backend, scheduler, workers = checks.runner_options(args.backend, args.scheduler, args.workers)
    cost = checks.estimated_cost(exp, cfg, force=args.force)

    from neqlab.experiments.api import run_config, verdict
    from neqlab.io.store import save
    from neqlab.runner import Runner
    from neqlab.runner.checkpoint import Checkpoint

    runner = Runner(backend=backend, workers=workers, scheduler=scheduler, checkpoint_dir=ckpt,
                    progress=not args.quiet)
    if cost is not None and not args.quiet:
        _announce(args.name, cost, None if scheduler else runner.n_workers)
    try:
        with runner:
            ds = run_config(args.name, cfg, runner=runner)
    except KeyboardInterrupt:
        print(f"interrupted: {Checkpoint(ckpt).count()} finished chunk(s) kept in {ckpt}; "
              "rerun the same command to resume", file=sys.stderr)
        return 130
    _report_chunks(runner, ckpt, quiet=args.quiet)
    save(ds, out)
    Checkpoint(ckpt).clear()
    v = verdict(ds, lang=lang)
    if args.json:
        print(v.to_json())
    else:
        print(verdict_text(v))
        print(f"saved {out}  (plot: neqlab plot {out} --out {exp.NAME}.png)")
    return 0


def _announce(name: str, cost, n_workers: int | None) -> None:
    """The estimate, before a run expected to last more than ANNOUNCE_SECONDS: wall time on
    this machine's workers, or single-core time when the workers are a cluster's."""
    if n_workers is None:
        if cost.seconds >= ANNOUNCE_SECONDS:
            print(f"{name}: about {checks.time_text(cost.seconds)} of single-core time and "
                  f"{checks.size_text(cost.memory_bytes)} of memory (a rough estimate from the config)",
                  file=sys.stderr, flush=True)
        return
    wall = cost.seconds / max(1, min(n_workers, os.cpu_count() or 1))
    if wall >= ANNOUNCE_SECONDS:
        print(f"{name}: about {checks.time_text(wall)} on {n_workers} worker(s) and "
              f"{checks.size_text(cost.memory_bytes)} of memory (a rough estimate from the config)",
              file=sys.stderr, flush=True)


def _report_chunks(runner, ckpt: Path, *, quiet: bool) -> None:
    """Say what the checkpoint gave: chunks resumed, and corrupt ones recomputed (always)."""
    if runner.resumed_chunks and not quiet:
        print(f"resumed {runner.resumed_chunks} chunk(s) from {ckpt}", file=sys.stderr)
    if runner.rejected_chunks:
        print(f"recomputed {runner.rejected_chunks} corrupt or foreign checkpoint chunk(s) in {ckpt}",
              file=sys.stderr)


def cmd_essay(args) -> int:
    from neqlab.core.i18n import resolve_lang
    from neqlab.runner.scheduler import resolve_backend

    lang = resolve_lang(args.lang)
    workers = checks.int_option("workers", args.workers, 1, 1024)
    resolve_backend(args.backend, args.scheduler)  # the light checks first; run_essay checks all again

    from neqlab.experiments._base import badge
    from neqlab.report import run_essay

    try:
        summary = run_essay(args.out, scale=args.scale, workers=workers, backend=args.backend,
                            scheduler=args.scheduler, progress=not args.quiet, lang=lang)
    except KeyboardInterrupt:
        print(f"interrupted: finished experiments and chunk checkpoints are kept in {args.out}; "
              "rerun the same command to resume", file=sys.stderr)
        return 130
    for c in summary["claims"]:
        print(f"{c['experiment']:16s} {badge(c['holds'], lang)}")
    print(f"report: {Path(args.out) / 'index.html'}")
    return 0
