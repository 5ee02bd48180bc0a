"""Atomic per-chunk checkpoints, so an interrupted ensemble resumes bitwise.

A checkpoint directory holds one ``.npz`` per finished chunk, named after the
ensemble and a fingerprint of everything that determines its result (task, seed,
replica range). Files are written under a temporary name and renamed, so a crash
never leaves a half-written chunk that would be read back.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np


def fingerprint(*parts: object) -> str:
    """A short stable hash of the repr of ``parts`` (config JSON, seed, chunk bounds)."""
    h = hashlib.sha256()
    for p in parts:
        h.update(repr(p).encode())
        h.update(b"\x00")
    return h.hexdigest()[:16]


class Checkpoint:
    """Chunk store in ``directory`` (created on first write)."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)

    def _path(self, name: str, key: str) -> Path:
        return self.directory / f"{name}-{key}.npz"

    def load(self, name: str, key: str) -> dict[str, np.ndarray] | None:
        path = self._path(name, key)
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as z:
                return {k: z[k] for k in z.files}
        except Exception:  # a corrupt chunk is recomputed, never trusted
            return None

    def save(self, name: str, key: str, arrays: dict[str, np.ndarray]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._path(name, key)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def count(self) -> int:
        return len(list(self.directory.glob("*.npz"))) if self.directory.exists() else 0

    def clear(self) -> None:
        if self.directory.exists():
            for p in self.directory.iterdir():
                p.unlink(missing_ok=True)
            self.directory.rmdir()
