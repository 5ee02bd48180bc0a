"""Backends and Dask scheduler addresses, checked before anything is created or started.

Light on purpose (standard library only): the command line checks ``--backend`` and
``--scheduler`` before it imports NumPy or Dask, and before it creates a file.

- :func:`resolve_backend`: ``--scheduler`` alone means the Dask backend; ``local`` with a
  scheduler is refused.
- :func:`parse_scheduler`: ``tcp://HOST:PORT`` (or ``tls://``, ``ws://``, ``wss://``; a
  bare ``HOST:PORT`` is ``tcp://``), as printed by ``dask scheduler``.
- :func:`check_scheduler`: connect within :data:`CONNECT_TIMEOUT` seconds and, for
  ``tcp://``, wait for the handshake a Dask scheduler sends as soon as it accepts a
  connection. ``dask.distributed.Client`` itself waits forever on a port that accepts
  connections and stays silent, and retries a refused port for its whole timeout.

>>> resolve_backend(None, None), resolve_backend(None, "tcp://10.0.0.5:8786")
(('local', None), ('dask', 'tcp://10.0.0.5:8786'))
>>> parse_scheduler("10.0.0.5:8786"), parse_scheduler("tcp://[::1]:8786")
(('tcp', '10.0.0.5', 8786), ('tcp', '::1', 8786))
>>> parse_scheduler("bogus://x")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
neqlab.core.errors.ConfigError: scheduler must be an address such as tcp://HOST:8786 (scheme tcp, tls, ws or wss; a port in [1, 65535]), got 'bogus://x'
"""

from __future__ import annotations

import socket
import struct
import time
from urllib.parse import urlsplit

from neqlab.core.config import shown
from neqlab.core.errors import ConfigError

BACKENDS = ("local", "dask")
SCHEMES = ("tcp", "tls", "ws", "wss")
CONNECT_TIMEOUT = 5.0  # [s] to connect to a scheduler and hear its handshake
_MAX_FRAMES = 64  # a Dask message starts with its number of frames (uint64, little-endian)


def resolve_backend(backend: str | None, scheduler: str | None) -> tuple[str, str | None]:
    """``(backend, scheduler)`` with the backend implied: a scheduler means ``dask``."""
    if scheduler is not None and not isinstance(scheduler, str):
        raise ConfigError(f"scheduler must be an address such as tcp://HOST:8786, got {shown(scheduler)}")
    if backend is None:
        backend = "dask" if scheduler is not None else "local"
    if backend not in BACKENDS:
        raise ConfigError(f"backend must be one of {', '.join(map(repr, BACKENDS))}, got {shown(backend)}")
    if scheduler is not None and backend != "dask":
        raise ConfigError(f"scheduler needs backend 'dask', got backend {backend!r} "
                          "(a scheduler alone implies dask: leave the backend out)")
    return backend, scheduler


def parse_scheduler(address: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of a Dask scheduler address; ConfigError if malformed."""
    bad = ConfigError("scheduler must be an address such as tcp://HOST:8786 (scheme tcp, tls, ws or wss; "
                      f"a port in [1, 65535]), got {shown(address)}")
    if not isinstance(address, str) or not address.strip() or len(address) > 300 or "\x00" in address:
        raise bad
    text = address.strip()
    if "://" not in text:
        text = "tcp://" + text
    try:
        u = urlsplit(text)
        port = u.port
    except ValueError:
        raise bad from None
    if (u.scheme.lower() not in SCHEMES or not u.hostname or port is None or not 1 <= port <= 65535
            or u.username or u.password or u.path not in ("", "/") or u.query or u.fragment):
        raise bad
    return u.scheme.lower(), u.hostname, port


def check_scheduler(address: str, *, timeout: float | None = None) -> str:
    """Check that a Dask scheduler answers at ``address`` within ``timeout`` seconds.

    Returns the address. ConfigError ``cannot reach scheduler ... within N s (why)`` when
    the host does not resolve, the port refuses or does not answer, or (``tcp://``) the
    peer sends no Dask handshake in time.
    """
    scheme, host, port = parse_scheduler(address)
    timeout = CONNECT_TIMEOUT if timeout is None else float(timeout)
    deadline = time.monotonic() + timeout

    def unreachable(why: str) -> ConfigError:
        return ConfigError(f"cannot reach scheduler {shown(address)} within {timeout:g} s ({why}); "
                           "start one with `dask scheduler` (docs/cluster.md) or check --scheduler")

    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except socket.gaierror as exc:
        raise unreachable(f"unknown host: {exc.strerror}") from None
    except TimeoutError:
        raise unreachable("no answer") from None
    except OSError as exc:
        raise unreachable(exc.strerror or type(exc).__name__) from None
    with sock:
        if scheme != "tcp":  # TLS and WebSocket speak first from the client: the port answered
            return address
        try:
            head = _read_exactly(sock, 8, deadline)
        except TimeoutError:
            raise unreachable("the port accepts connections but sent no Dask handshake") from None
        except OSError as exc:
            raise unreachable(f"the connection closed before a Dask handshake: {exc.strerror or exc}") from None
        if head is None:
            raise unreachable("the connection closed before a Dask handshake")
        (n_frames,) = struct.unpack("<Q", head)
        if not 1 <= n_frames <= _MAX_FRAMES:
            raise unreachable("the port answers, but not as a Dask scheduler")
    return address


def _read_exactly(sock: socket.socket, n: int, deadline: float) -> bytes | None:
    """``n`` bytes from ``sock`` before ``deadline`` (TimeoutError), or None if it closes first."""
    data = b""
    while len(data) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        sock.settimeout(left)
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


__all__ = ["BACKENDS", "CONNECT_TIMEOUT", "SCHEMES", "check_scheduler", "parse_scheduler", "resolve_backend"]
