"""``neqlab serve``: the live page, bound to localhost unless remote access is asked for."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

from neqlab.cli import checks
from neqlab.core.config import shown
from neqlab.core.errors import ConfigError


def cmd_serve(args) -> int:
    port = checks.int_option("port", args.port, 0, 65535)
    max_sessions = checks.int_option("max_sessions", args.max_sessions, 1, 1024)
    if args.results is not None and not Path(args.results).is_dir():
        raise ConfigError(f"results must be an existing directory (an essay report), got {shown(args.results)}")

    from neqlab.web.server import check_origins, is_loopback, serve

    check_origins(args.allow_origin)

    def ready(url: str) -> None:
        host = urlsplit(url).hostname or args.host
        if not is_loopback(host):
            print(f"warning: serving on {args.host} ({url}): any machine that reaches this port can drive "
                  "the simulation (the page has no authentication)", file=sys.stderr, flush=True)
        print(f"neqlab serve: open {url}  (Ctrl-C stops)", flush=True)

    serve(args.host, port, allow_remote=args.allow_remote, results_dir=args.results,
          allowed_origins=tuple(args.allow_origin), max_sessions=max_sessions, on_ready=ready)
    print("stopped", file=sys.stderr)
    return 0
