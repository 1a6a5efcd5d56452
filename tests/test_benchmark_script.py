"""The benchmark script runs end to end on a tiny corpus and writes valid results (no timing asserts)."""
from __future__ import annotations

import json
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "bench_extract.py"


@pytest.fixture(scope="module")
def bench():
    return runpy.run_path(str(SCRIPT), run_name="bench_extract")  # its functions, without running main


def test_corpus_is_deterministic_and_covers_three_scripts(bench):
    seeds = bench["load_seeds"](ROOT / "articles")
    pages = bench["make_corpus"](9, seeds, 0)
    assert pages == bench["make_corpus"](9, seeds, 0)
    assert pages != bench["make_corpus"](9, seeds, 1)
    assert {lang for _, _, lang in pages} == {"zh-Hans", "zh-Hant", "en"}
    assert len({name for name, _, _ in pages}) == 9
    hant = [t for _, t, lang in pages if lang == "zh-Hant"]
    assert any(ch in t for t in hant for ch in "診醫發體")  # really traditional characters
    from claimaudit import textnorm

    assert all(len(textnorm.simplified_view(t)) == len(t) for t in hant)


def test_numbers_are_varied_but_keep_their_shape(bench):
    import random

    text = "约30%的患者在2.5小时内缓解,血糖>7.0mmol/L"
    out = bench["vary_numbers"](text, random.Random(1))
    assert re.sub(r"\d", "0", out) == re.sub(r"\d", "0", text)
    assert out != text


def test_script_runs_on_a_tiny_corpus_and_writes_json(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--sizes", "12,24", "--peer-chars", "2000", "--files",
         "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.loads((tmp_path / "latest.json").read_text(encoding="utf-8"))
    assert [r["articles"] for r in res["sizes"]] == [12, 24]
    for r in res["sizes"]:
        assert r["chars"] > 0 and r["claims"] > 0 and r["claims"] == r["audit_claims"]
        assert r["digit_matches"] > 0 and r["files_failures"] == 0
        assert r["peak_rss_mb"] >= r["baseline_rss_mb"] > 0
        assert r["extract_over_digit_scan"] > 0 and r["extract_over_quantulum3"] > 0
        # the grammar is one part of extraction, so not slower than all of it (×0.5: noise on tiny corpora)
        assert r["grammar_over_digit_scan"] > 0 and r["grammar_chars_per_s"] >= r["extract_chars_per_s"] * 0.5
    assert res["sizes"][1]["chars"] > res["sizes"][0]["chars"]
    assert res["peers"]["sample_chars"] > 0 and res["peers"]["claimaudit_over_quantulum3"] > 0
    assert res["machine"]["cores"] >= 1
    md = (tmp_path / "latest.md").read_text(encoding="utf-8")
    assert "| 24 |" in md and "quantulum3" in md and "Quantity grammar alone" in md
    assert "extract" in proc.stdout and "digit scan" in proc.stdout


def test_dask_run_checks_equality_and_reports_both_speedups(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--sizes", "6", "--peer-chars", "0", "--dask", "--dask-size", "12",
         "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    d = json.loads((tmp_path / "latest.json").read_text(encoding="utf-8"))["dask"]
    assert d["articles"] == 12 and set(d["runs"]) == {"1", "2"}
    for run in d["runs"].values():
        assert run["equal"] is True and run["equal_to"] == "local" and run["claims"] > 0
        assert run["audit_s"] == run["per_article_s"] + run["client_s"]
    assert d["speedup_2_over_1"] > 0 and d["audit_speedup_2_over_1"] > 0
    assert "Dask engine" in (tmp_path / "latest.md").read_text(encoding="utf-8")


def test_growth_compares_the_largest_run_with_the_mean_of_the_bracketing_runs(bench):
    """A drift of the machine's speed during the long run must not pass for growth: the smaller
    size measured before and after it counts with the mean of both runs."""
    res = {"sizes": [{"articles": 10, "audit_s": 2.0, "extract_s": 1.0},
                     {"articles": 100, "audit_s": 25.0, "extract_s": 9.0}],
           "recheck": {"articles": 10, "audit_s": 3.0, "extract_s": 1.0}}
    g = bench["scaling"](res)
    assert g["audit_growth"] == pytest.approx(10.0) and g["extract_growth"] == pytest.approx(9.0)
    assert g["audit_runs_s"] == [2.0, 3.0]
    del res["recheck"]
    assert bench["scaling"](res)["audit_growth"] == pytest.approx(12.5)
    assert bench["scaling"]({"sizes": res["sizes"][:1]}) is None
    assert "audit 2.0 s and 3.0 s" in bench["scaling_text"]({**res, "recheck": {"audit_s": 3.0, "extract_s": 1.0}})
