import json

import pytest

from neqlab.core.errors import ConfigError
from neqlab.report import run_essay


def test_essay_report_files_and_schema(tmp_path):
    logs = []
    summary = run_essay(tmp_path / "r", scale="quick", names=["macrostates"], progress=False, log=logs.append)
    root = tmp_path / "r"
    assert (root / "index.html").exists() and (root / "figures" / "macrostates.png").exists()
    assert (root / "data" / "macrostates.nc").exists()
    on_disk = json.loads((root / "summary.json").read_text())
    assert on_disk == json.loads(json.dumps(summary))
    assert set(on_disk) == {"version", "scale", "lang", "date", "claims"} and on_disk["scale"] == "quick"
    for lang in ("en", "ja"):
        assert (root / f"index.{lang}.html").exists() and (root / f"summary.{lang}.json").exists()
    ja = json.loads((root / "summary.ja.json").read_text())
    assert ja["lang"] == "ja" and ja["claims"][0]["holds"] == c0["holds"] if (c0 := on_disk["claims"][0]) else False
    assert "<html lang='ja'>" in (root / "index.ja.html").read_text()
    c = on_disk["claims"][0]
    for k in ("experiment", "claim", "holds", "checks", "subclaims", "conditions", "figure", "data"):
        assert k in c
    html = (root / "index.html").read_text()
    assert "data:image/png;base64," in html and "http://" not in html and "https://" not in html
    assert c["claim"][:40] in html and "§2.2" in html
    # rerun: the finished experiment is reused, not recomputed
    logs.clear()
    run_essay(root, scale="quick", names=["macrostates"], progress=False, log=logs.append)
    assert any("reusing" in m for m in logs)


def test_essay_bad_input(tmp_path):
    with pytest.raises(ConfigError, match="scale must be one of quick, default, full"):
        run_essay(tmp_path, scale="huge")
    with pytest.raises(ConfigError, match="experiment must be one of"):
        run_essay(tmp_path, names=["nope"])
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(ConfigError, match="out must be a writable directory"):
        run_essay(f / "sub")
