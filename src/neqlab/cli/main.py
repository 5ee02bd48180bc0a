"""The ``neqlab`` command line: list, run, config, show, plot, export, essay, serve.

Exit codes: 0 done; 2 bad input (one ``error:`` line on stderr, no traceback, nothing
created); 1 a failure during a run (one line); 130 interrupted (checkpoint kept, rerun
to resume). Set ``NEQLAB_DEBUG=1`` to see tracebacks of unexpected failures.

Start-up is kept short: this module and :mod:`neqlab.cli.parser` import only the
standard library and neqlab's light modules; each command imports what it needs when it
runs (``neqlab.cli.run``, ``neqlab.cli.results``, ``neqlab.cli.serve``), after the
checks that need no heavy module have passed.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback

from neqlab.core.errors import ConfigError, NeqlabError

# command -> (module, function); the module is imported only when the command runs
COMMANDS = {
    "list": ("neqlab.cli.main", "cmd_list"),
    "run": ("neqlab.cli.run", "cmd_run"),
    "config": ("neqlab.cli.results", "cmd_config"),
    "show": ("neqlab.cli.results", "cmd_show"),
    "plot": ("neqlab.cli.results", "cmd_plot"),
    "export": ("neqlab.cli.results", "cmd_export"),
    "essay": ("neqlab.cli.run", "cmd_essay"),
    "serve": ("neqlab.cli.serve", "cmd_serve"),
}


def cmd_list(args) -> int:
    from neqlab.experiments import REGISTRY

    for name, exp in REGISTRY.items():
        print(f"{name:16s} {exp.SECTION:40s} {exp.CLAIM}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line on ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    from neqlab.cli.parser import build_parser

    parser = build_parser()
    command = "neqlab"
    try:
        args = parser.parse_args(argv)
        if args.version:
            from neqlab.io.provenance import version

            print(f"neqlab {version()}")
            return 0
        if not args.command:
            parser.print_help()
            return 0
        command = args.command
        module, function = COMMANDS[command]
        return getattr(importlib.import_module(module), function)(args)
    except SystemExit as exc:  # --help (argparse exits after printing it)
        return exc.code if isinstance(exc.code, int) else 0
    except ConfigError as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except NeqlabError as exc:
        if os.environ.get("NEQLAB_DEBUG"):
            traceback.print_exc()
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except Exception as exc:  # a failure during a run: one line unless debugging
        if os.environ.get("NEQLAB_DEBUG"):
            traceback.print_exc()
        print(f"error: {command} failed: {type(exc).__name__}: {_one_line(exc)} "
              "(set NEQLAB_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


if __name__ == "__main__":
    sys.exit(main())
