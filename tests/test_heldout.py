"""Extraction on held-out genre pages (see tests/heldout/README.md), scored by the shared scorer."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from claimaudit import extract, ingest, store

ROOT = Path(__file__).resolve().parents[1]
SETS = [ROOT / "tests" / "heldout", ROOT / "tests" / "heldout" / "blind2"]


@pytest.mark.parametrize("folder", SETS, ids=lambda p: p.name)
def test_heldout_score(folder, tmp_path):
    articles, failures = ingest.ingest_paths([folder / "articles"])
    assert not failures
    decoded = tmp_path / "decoded"  # the scorer reads UTF-8: give it the texts of record
    decoded.mkdir()
    for a in articles:
        (decoded / a.name).write_text(a.text, encoding="utf-8")
    out = tmp_path / "claims.csv"
    store.write_csv(extract.extract_claims(articles), out)
    r = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "gold" / "score_quantities.py"), str(out),
         "--gold", str(folder / "gold.csv"), "--articles", str(decoded),
         "--negatives", str(folder / "negatives.csv"), "--show"],
        capture_output=True, text=True, check=True)
    fig = dict(re.findall(r"(\w+)=([\d.]+)", r.stdout.strip().splitlines()[-1]))
    assert float(fig["recall"]) >= 0.97, r.stdout
    assert float(fig["normalized_rate"]) >= 0.95, r.stdout
    assert int(fig["negatives_hit"]) == 0, r.stdout
    assert int(fig["bad_spans"]) == 0, r.stdout
