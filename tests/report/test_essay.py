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


def test_side_by_side_experiments_give_the_bits_of_one_at_a_time(tmp_path):
    """Two workers run the experiments two at a time on one shared pool; one worker runs
    them one after another: the same datasets, the same verdicts, the report in order."""
    import numpy as np

    from neqlab.experiments import REGISTRY
    from neqlab.io.store import load

    names = ["macrostates", "coarse_graining", "relaxation"]
    configs = {n: REGISTRY[n].SMALL for n in names}
    out = {}
    for w in (1, 2):
        out[w] = run_essay(tmp_path / f"w{w}", names=names, configs=configs, workers=w, progress=False,
                           log=lambda m: None)
    assert [c["experiment"] for c in out[2]["claims"]] == names
    assert [c["holds"] for c in out[1]["claims"]] == [c["holds"] for c in out[2]["claims"]]
    for n in names:
        a, b = load(tmp_path / "w1" / "data" / f"{n}.nc"), load(tmp_path / "w2" / "data" / f"{n}.nc")
        assert sorted(a.variables) == sorted(b.variables)
        for k in a.variables:
            assert np.array_equal(a[k].values, b[k].values, equal_nan=a[k].dtype.kind == "f"), (n, k)
        assert a.attrs["config"] == b.attrs["config"]
