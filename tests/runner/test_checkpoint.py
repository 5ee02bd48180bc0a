"""Checkpoints bound to their content (issue 18, item 9) and written with the umask (item 11).

A chunk file is used only if it is exactly the chunk asked for: a copy of another chunk,
a bit flip, a truncation, an older format or a forged record is recomputed, and the
result stays bitwise that of a clean run.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neqlab.core.rng import Stream, replica_keys
from neqlab.models.toy import ehrenfest_n_left
from neqlab.runner import Runner, run_ensemble
from neqlab.runner.checkpoint import META, Checkpoint


def urn_task(replicas, seed):
    keys = replica_keys(seed, replicas, Stream.TESTING)
    return {"n": ehrenfest_n_left(keys, n_particles=20, n_start=20, n_steps=100), "id": replicas.copy()}


def square(i):
    return {"v": np.array([i * i, -i], dtype=np.int64)}


def _chunks(ck):
    return sorted(ck.glob("*.npz"))


def test_copied_chunk_is_recomputed_and_the_result_is_bitwise_clean(tmp_path):
    clean = run_ensemble(urn_task, 60, seed=2, workers=1, progress=False, chunk_size=10)
    ck = tmp_path / "ck"
    Runner(workers=1, checkpoint_dir=ck, progress=False).ensemble(urn_task, 60, seed=2, chunk_size=10, name="u")
    files = _chunks(ck)
    assert len(files) == 6
    shutil.copyfile(files[1], files[4])  # a valid chunk under another chunk's name
    r = Runner(workers=2, checkpoint_dir=ck, progress=False)
    again = r.ensemble(urn_task, 60, seed=2, chunk_size=10, name="u")
    assert (r.resumed_chunks, r.rejected_chunks) == (5, 1)
    for k in clean:
        assert np.array_equal(clean[k], again[k]) and clean[k].dtype == again[k].dtype
    assert list(again) == list(clean)  # same arrays, in the task's order
    # the recomputed chunk was saved again, correctly: a third run resumes all six
    r3 = Runner(workers=1, checkpoint_dir=ck, progress=False)
    third = r3.ensemble(urn_task, 60, seed=2, chunk_size=10, name="u")
    assert (r3.resumed_chunks, r3.rejected_chunks) == (6, 0) and np.array_equal(third["n"], clean["n"])


def test_copied_map_item_is_recomputed(tmp_path):
    ck = tmp_path / "ck"
    Runner(workers=1, checkpoint_dir=ck, progress=False).map(square, list(range(5)), name="sq")
    files = _chunks(ck)
    by_value = {int(np.load(f)["v"][0]): f for f in files}
    shutil.copyfile(by_value[9], by_value[16])
    r = Runner(workers=1, checkpoint_dir=ck, progress=False)
    out = r.map(square, list(range(5)), name="sq")
    assert [o["v"].tolist() for o in out] == [[i * i, -i] for i in range(5)]
    assert (r.resumed_chunks, r.rejected_chunks) == (4, 1)


def _one_chunk(tmp_path):
    ck = Checkpoint(tmp_path / "ck")
    arrays = {"x": np.linspace(0.0, 1.0, 50), "k": np.arange(7, dtype=np.uint64), "ok": np.array([True, False])}
    ident = {"kind": "ensemble", "chunk": 3, "replicas": [30, 40]}
    ck.save("e", "abc", arrays, identity=ident)
    return ck, ck.directory / "e-abc.npz", arrays, ident


def test_identity_name_key_and_format_must_all_match(tmp_path):
    ck, path, arrays, ident = _one_chunk(tmp_path)
    got = ck.load("e", "abc", identity=ident)
    assert got is not None and all(np.array_equal(got[k], arrays[k]) for k in arrays)
    assert ck.load("e", "abc", identity={**ident, "chunk": 4}) is None
    assert ck.load("e", "abc", identity={**ident, "replicas": [30, 41]}) is None
    shutil.copyfile(path, ck.directory / "f-abc.npz")
    assert ck.load("f", "abc", identity=ident) is None  # same key, other ensemble name
    shutil.copyfile(path, ck.directory / "e-abd.npz")
    assert ck.load("e", "abd", identity=ident) is None  # renamed to another fingerprint
    with open(ck.directory / "e-old.npz", "wb") as fh:  # the format of earlier versions: no record
        np.savez(fh, **arrays)
    assert ck.load("e", "old", identity=ident) is None
    assert ck.rejected == 5


def _rewrite(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def _members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _npy(a) -> bytes:
    import io

    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


def _big_header(npy: bytes) -> bytes:
    """The same .npy with its header claiming shape (10^6, 10^6), padding shortened to keep its length."""
    end = npy.index(b"\n") + 1
    header = npy[:end].replace(b"(50,)", b"(1000000, 1000000)")
    header = header.replace(b" " * 13 + b"\n", b"\n")
    assert len(header) == end and b"(1000000, 1000000)" in header
    return header + npy[end:]


def test_forged_chunks_are_refused(tmp_path):
    """Valid zip files (CRCs right) whose content does not match their record."""
    ck, path, arrays, ident = _one_chunk(tmp_path)
    good = _members(path)
    meta = json.loads(str(np.load(path)[META]))
    cases = {
        "other data, same record": {**good, "x.npy": _npy(arrays["x"] + 1e-16)},
        "a missing array": {k: v for k, v in good.items() if k != "ok.npy"},
        "an extra array": {**good, "y.npy": _npy(np.zeros(3))},
        "other dtype": {**good, "k.npy": _npy(arrays["k"].astype(np.int64))},
        "a record declaring 10^12 elements": {
            **good, META + ".npy": _npy(np.array(json.dumps({**meta, "arrays": [["x", "<f8", [10**6, 10**6]]] + meta["arrays"][1:]})))},
        "a header declaring 10^12 elements": {**good, "x.npy": _big_header(_npy(arrays["x"]))},
        "a pickled record": {**good, META + ".npy": _npy(np.array([meta], dtype=object))},
    }
    for what, members in cases.items():
        _rewrite(path, members)
        assert ck.load("e", "abc", identity=ident) is None, what
    _rewrite(path, good)
    assert ck.load("e", "abc", identity=ident) is not None  # the rewrite itself is harmless


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_bit_flip_or_truncation_is_refused_or_harmless(tmp_path_factory, data):
    """Whatever single bit flips (or wherever the file is cut), load gives None or the original arrays."""
    ck, path, arrays, ident = _one_chunk(tmp_path_factory.mktemp("flip"))
    raw = path.read_bytes()
    if data.draw(st.booleans(), label="truncate"):
        cut = data.draw(st.integers(0, len(raw) - 1), label="length")
        path.write_bytes(raw[:cut])
    else:
        pos = data.draw(st.integers(0, len(raw) - 1), label="byte")
        bit = data.draw(st.integers(0, 7), label="bit")
        path.write_bytes(raw[:pos] + bytes([raw[pos] ^ (1 << bit)]) + raw[pos + 1:])
    got = ck.load("e", "abc", identity=ident)
    if got is not None:
        assert set(got) == set(arrays)
        assert all(np.array_equal(got[k], arrays[k]) and got[k].dtype == arrays[k].dtype for k in arrays)


def test_bit_flips_in_the_data_are_always_refused(tmp_path):
    ck, path, arrays, ident = _one_chunk(tmp_path)
    raw = bytearray(path.read_bytes())
    start = raw.find(arrays["x"].tobytes())
    assert start > 0
    for offset in range(0, arrays["x"].nbytes, 37):
        flipped = raw.copy()
        flipped[start + offset] ^= 0x10
        path.write_bytes(bytes(flipped))
        assert ck.load("e", "abc", identity=ident) is None, offset


def test_chunk_files_honour_the_umask(tmp_path):
    for mask, mode in [(0o022, 0o644), (0o077, 0o600)]:
        old = os.umask(mask)
        try:
            Runner(workers=1, checkpoint_dir=tmp_path / f"ck{mask:o}", progress=False).ensemble(
                urn_task, 20, seed=0, chunk_size=10, name="u")
        finally:
            os.umask(old)
        files = _chunks(tmp_path / f"ck{mask:o}")
        assert len(files) == 2 and [oct(f.stat().st_mode & 0o777) for f in files] == [oct(mode)] * 2
