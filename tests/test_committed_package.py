"""The committed claims/ package is what the main job produces from articles/ today.

Notebooks and reviewers read claims/; if code changed without a re-run of `make audit`, this fails
and names the stale tables (re-run `make audit` and commit).
"""
from __future__ import annotations

from pathlib import Path

from claimaudit import pipeline

ROOT = Path(__file__).resolve().parents[1]
MACHINE_TABLES = ("articles.csv", "documents.csv", "claims.csv", "groups.csv", "checklist.csv",
                  "datapackage.json")


def test_committed_claims_package_is_up_to_date(tmp_path):
    committed = ROOT / "claims"
    fresh = tmp_path / "claims"
    fresh.mkdir()
    # reviewer-owned tables are inputs of the main job: start from the committed ones
    for name in ("reviews.csv", "reference.csv"):
        if (committed / name).exists():
            (fresh / name).write_bytes((committed / name).read_bytes())
    pipeline.run_audit([ROOT / "articles"], fresh, tmp_path / "reports")
    stale = [n for n in MACHINE_TABLES if (fresh / n).read_bytes() != (committed / n).read_bytes()]
    assert not stale, f"claims/ is stale, re-run `make audit`: {stale}"
