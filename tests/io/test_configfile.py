"""Config files read safely (issue 18, item 4): regular files only, at most 1 MiB, UTF-8,
TOML errors with line numbers; every refusal is one ConfigError line naming the file."""

from __future__ import annotations

import os
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neqlab.core.errors import ConfigError
from neqlab.io.configfile import MAX_BYTES, read_config_file


def _refused(path, *expected: str) -> str:
    with pytest.raises(ConfigError) as info:
        read_config_file(path)
    msg = str(info.value)
    assert msg.startswith("config must be ") and "\n" not in msg and repr(str(path)) in msg, msg
    for part in expected:
        assert part in msg, msg
    return msg


def test_a_valid_file_with_sections_and_a_utf8_bom(tmp_path):
    p = tmp_path / "c.toml"
    p.write_bytes(b"\xef\xbb\xbfseed = 3\n# r\xc3\xa9sum\xc3\xa9 in UTF-8\n[macrostates]\nn_particles = 500\n")
    assert read_config_file(p) == {"seed": 3, "macrostates": {"n_particles": 500}}


def test_a_fifo_is_refused_at_once_without_hanging(tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    result = {}

    def read():
        try:
            read_config_file(fifo)
        except ConfigError as exc:
            result["msg"] = str(exc)

    t = threading.Thread(target=read, daemon=True)
    t.start()
    t.join(timeout=10)
    if t.is_alive():  # unblock the reader so the test run can end
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        pytest.fail("reading a FIFO blocked")
    assert result["msg"] == f"config must be a regular file, got {str(fifo)!r} (a FIFO)"


@pytest.mark.parametrize("path, kind", [("/dev/zero", "a character device"), ("/dev/null", "a character device")])
def test_devices_are_refused_without_reading(path, kind):
    _refused(path, f"must be a regular file, got {path!r} ({kind})")


def test_a_directory_and_a_missing_file_are_refused(tmp_path):
    _refused(tmp_path, "(a directory)")
    _refused(tmp_path / "missing.toml", "must be a readable regular file", "(no such file or directory)")


def test_size_limit_is_one_mebibyte(tmp_path):
    assert MAX_BYTES == 1 << 20
    ok = tmp_path / "ok.toml"
    ok.write_bytes(b"a = 1\n" + b"#" * (MAX_BYTES - 7) + b"\n")
    assert ok.stat().st_size == MAX_BYTES and read_config_file(ok) == {"a": 1}
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (MAX_BYTES + 1))
    _refused(big, f"must be a file of at most {MAX_BYTES} bytes", f"({MAX_BYTES + 1} bytes)")


@pytest.mark.parametrize("encoding, expected", [
    ("utf-16", "(UTF-16 byte-order mark at byte offset 0"),
    ("utf-32", "(UTF-32 byte-order mark at byte offset 0"),
    ("utf-16-le", "(NUL byte at byte offset 1, line 1"),
    ("utf-16-be", "(NUL byte at byte offset 0, line 1"),
])
def test_utf16_and_utf32_are_refused_saying_so(tmp_path, encoding, expected):
    p = tmp_path / "c.toml"
    p.write_bytes("n_particles = 500\n".encode(encoding))
    _refused(p, "must be UTF-8 text", expected)


def test_latin1_comment_gives_the_byte_offset_and_line(tmp_path):
    p = tmp_path / "c.toml"
    p.write_bytes("n_particles = 500\n# température initiale\n".encode("latin-1"))
    _refused(p, "(byte 0xe9 at byte offset 24, line 2, is not UTF-8)")


def test_toml_errors_give_line_and_column(tmp_path):
    p = tmp_path / "c.toml"
    p.write_bytes(b"seed = 1\n\nn_particles = = 3\n")
    _refused(p, "must be a valid TOML file", "(at line 3, column 15)")
    p.write_bytes(b"a = 1\nb = " + b"9" * 5000 + b"\n")
    _refused(p, "(an integer of more than 4300 digits at line 2)")
    p.write_bytes(b"a = " + b"[" * 50_000)
    _refused(p, "(arrays or tables nested too deeply)")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.binary(max_size=300) | st.text(max_size=100).map(lambda t: t.encode("utf-16")))
def test_any_bytes_give_a_table_or_one_error_line(tmp_path, blob):
    p = tmp_path / "fuzz.toml"
    p.write_bytes(blob)
    try:
        out = read_config_file(p)
    except ConfigError as exc:
        assert str(exc).startswith("config must be ") and "\n" not in str(exc) and str(p) in str(exc)
    else:
        assert isinstance(out, dict)
