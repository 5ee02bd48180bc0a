"""Per-chunk checkpoints bound to their content, so an interrupted ensemble resumes bitwise.

A checkpoint directory holds one ``.npz`` per finished chunk, named after the ensemble
and a fingerprint of everything that determines its result (task, bound arguments,
config, seed, replica range). Each file also *stores* who it is and what it holds, in
a JSON record ``__neqlab_chunk__``:

- ``format`` (2), ``name`` and ``key`` (the fingerprint the file name carries);
- ``identity``: the chunk index, the number of chunks, the replica range (ensembles)
  or a hash of the item (maps), as the runner states them;
- ``arrays``: [name, dtype, shape] of every array, in the order the task returned them;
- ``sha256``: a checksum of the arrays (names, dtypes, shapes and bytes).

:meth:`Checkpoint.load` returns a chunk only if all of it agrees with what the caller
asks for; anything else (a chunk copied over another's name, a bit flip, a truncated or
empty file, a file of an older format, a file declaring arrays larger than itself) is
refused and counted in :attr:`Checkpoint.rejected`, and the runner recomputes the chunk.
Files are written through :func:`neqlab.core.atomic.atomic_write` (a temporary, then a
rename; mode from the umask; stale temporaries of a killed run removed on the next save).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from neqlab.core.atomic import atomic_write

FORMAT = 2
META = "__neqlab_chunk__"
_META_MAX = 1 << 20  # bytes: the JSON record is a few hundred; a larger one is not ours
_HEADER_SLACK = 1 << 16  # bytes: an .npy header is at most 64 KiB
_HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}


def fingerprint(*parts: object) -> str:
    """A short stable hash of the repr of ``parts`` (config JSON, seed, chunk bounds)."""
    h = hashlib.sha256()
    for p in parts:
        h.update(repr(p).encode())
        h.update(b"\x00")
    return h.hexdigest()[:16]


def arrays_checksum(arrays: Mapping[str, np.ndarray]) -> str:
    """sha256 over the names, dtypes, shapes and bytes of ``arrays`` (in name order)."""
    h = hashlib.sha256()
    for k in sorted(arrays):
        a = np.asarray(arrays[k])
        h.update(json.dumps([k, a.dtype.str, list(a.shape)]).encode())
        h.update(b"\x00")
        if a.size:
            h.update(np.ascontiguousarray(a).reshape(-1).view(np.uint8))
    return h.hexdigest()


def _plain(obj: Any) -> Any:
    """JSON's view of ``obj`` (tuples become lists), so a stored identity compares equal."""
    return json.loads(json.dumps(obj, sort_keys=True))


class _Refused(Exception):
    """A chunk file that is not the chunk asked for."""


class Checkpoint:
    """Chunk store in ``directory`` (created on first write)."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)
        self.rejected = 0  # chunk files refused by load (recomputed by the runner)

    def _path(self, name: str, key: str) -> Path:
        return self.directory / f"{name}-{key}.npz"

    def load(self, name: str, key: str, *, identity: Mapping[str, Any] | None = None) -> dict[str, np.ndarray] | None:
        """The arrays of chunk ``(name, key)``, or None if absent or not exactly that chunk."""
        path = self._path(name, key)
        if not path.is_file():
            return None
        try:
            return self._read(path, name, key, _plain(dict(identity or {})))
        except Exception:  # corrupt, truncated, copied, foreign: recomputed, never trusted
            self.rejected += 1
            return None

    def _read(self, path: Path, name: str, key: str, identity: dict) -> dict[str, np.ndarray]:
        size = path.stat().st_size
        with zipfile.ZipFile(path) as zf:
            members = {i.filename: i for i in zf.infolist()}
            info = members.get(META + ".npy")
            if info is None or info.file_size > _META_MAX:
                raise _Refused("no chunk record")
            with zf.open(info) as fh:
                meta = json.loads(str(np.lib.format.read_array(fh, allow_pickle=False).item()))
            want = {"format": FORMAT, "name": name, "key": key, "identity": identity}
            if not isinstance(meta, dict) or any(meta.get(k) != v for k, v in want.items()):
                raise _Refused("another chunk")
            declared = meta["arrays"]  # [name, dtype, shape] in the task's order
            if set(members) != {META + ".npy"} | {k + ".npy" for k, _, _ in declared}:
                raise _Refused("other arrays")
            out = {}
            for k, dtype, shape in declared:
                nbytes = math.prod(shape) * np.dtype(dtype).itemsize
                member = members[k + ".npy"]
                if nbytes > size or not nbytes <= member.file_size <= nbytes + _HEADER_SLACK:
                    raise _Refused("sizes do not match")
                with zf.open(member) as fh:
                    version = np.lib.format.read_magic(fh)
                    if version not in _HEADER_READERS:
                        raise _Refused("unknown .npy version")
                    hshape, fortran, hdtype = _HEADER_READERS[version](fh)
                    if list(hshape) != list(shape) or hdtype.str != dtype:
                        raise _Refused("header does not match")
                with zf.open(member) as fh:
                    out[k] = np.lib.format.read_array(fh, allow_pickle=False)
        if arrays_checksum(out) != meta["sha256"]:
            raise _Refused("checksum")
        return out

    def save(self, name: str, key: str, arrays: dict[str, np.ndarray], *,
             identity: Mapping[str, Any] | None = None) -> None:
        """Write chunk ``(name, key)`` with its identity record and checksum, atomically."""
        if META in arrays:
            raise ValueError(f"array name {META!r} is reserved for the chunk record")
        arrays = {k: np.asarray(v) for k, v in arrays.items()}
        meta = {
            "format": FORMAT, "name": name, "key": key, "identity": _plain(dict(identity or {})),
            "arrays": [[k, a.dtype.str, list(a.shape)] for k, a in arrays.items()],
            "sha256": arrays_checksum(arrays),
        }
        self.directory.mkdir(parents=True, exist_ok=True)
        with atomic_write(self._path(name, key), durable=False) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, **{META: np.array(json.dumps(meta, sort_keys=True))}, **arrays)

    def count(self) -> int:
        return len(list(self.directory.glob("*.npz"))) if self.directory.exists() else 0

    def clear(self) -> None:
        if self.directory.exists():
            for p in self.directory.iterdir():
                p.unlink(missing_ok=True)
            self.directory.rmdir()
