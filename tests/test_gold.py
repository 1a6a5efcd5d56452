"""The development gold set of the seed pages, scored with the shared scorer (copied to tests/gold)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from claimaudit import extract, ingest, store

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold"


def test_seed_gold_score(tmp_path):
    articles, failures = ingest.ingest_paths([ROOT / "articles"])
    assert not failures
    claims = extract.extract_claims(articles)
    out = tmp_path / "claims.csv"
    store.write_csv(claims, out)
    r = subprocess.run(
        [sys.executable, str(GOLD / "score_quantities.py"), str(out), "--gold", str(GOLD / "seeds_quantities.csv"),
         "--articles", str(ROOT / "articles"), "--negatives", str(GOLD / "seeds_negatives.csv"), "--show"],
        capture_output=True, text=True, check=True)
    line = r.stdout.strip().splitlines()[-1]
    fig = dict(re.findall(r"(\w+)=([\d.]+)", line))
    assert float(fig["recall"]) == 1.0, r.stdout
    assert float(fig["normalized_rate"]) >= 0.97, r.stdout
    assert int(fig["negatives_hit"]) == 0, r.stdout
    assert int(fig["bad_spans"]) == 0, r.stdout
