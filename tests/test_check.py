"""The publishing gate: findings located in the file, rules configurable, reviewer decisions count."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from claimaudit import check, pipeline, review, store
from claimaudit.cli import cli

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<rule>[a-z_]+): (?P<quote>.+)$")


# --- pure parts -------------------------------------------------------------------------------
def test_line_and_column_are_one_based_and_counted_in_characters():
    text = "第一行\n空腹血糖>7.0mmol/L\n\nthird"
    assert check.line_col(text, 0) == (1, 1)
    assert check.line_col(text, text.index(">7.0")) == (2, 5)
    assert check.line_col(text, text.index("third")) == (4, 1)


def test_finding_prints_one_line_even_for_a_multiline_quote():
    f = check.Finding("a.txt", 3, 7, "value_deviates", "<100\npg/ml")
    assert f.format() == "a.txt:3:7: value_deviates: <100 pg/ml"


def test_unknown_rule_names_are_refused_not_ignored():
    assert check.parse_fail_on("conflicting, operator_mismatch") == ("conflicting", "operator_mismatch")
    with pytest.raises(ValueError, match="operator_missmatch"):
        check.parse_fail_on("operator_missmatch")
    assert check.parse_fail_on(None) == check.DEFAULT_FAIL_ON


def _claims(rows):
    base = {"article": "a.txt", "start": 0, "quote": "1", "vague": False, "value_low": 1.0,
            "value_high": 1.0, "grade": "E", "reference_check": ""}
    return pd.DataFrame([{**base, **r} for r in rows])


def test_grade_e_precise_counts_only_unreviewed_non_vague_claims_with_values():
    claims = _claims([
        {"claim_id": "c1"}, {"claim_id": "c2"},
        {"claim_id": "c3", "vague": True, "value_low": None, "value_high": None},  # vague: not precise
        {"claim_id": "c4", "grade": "D"},
        {"claim_id": "c5", "article": "b.txt"},
    ])
    none = pd.DataFrame(columns=["claim_id_a", "claim_id_b"])
    hits = check.rule_hits(claims, none, (), max_grade_e_precise=1, reviewed=set())
    assert sorted(hits) == [("c1", "grade_e_precise"), ("c2", "grade_e_precise")]
    assert check.rule_hits(claims, none, (), max_grade_e_precise=2, reviewed=set()) == []
    assert check.rule_hits(claims, none, (), max_grade_e_precise=1, reviewed={"c2"}) == []
    assert check.rule_hits(claims, none, (), max_grade_e_precise=None, reviewed=set()) == []


def test_latest_review_wins_and_only_settling_decisions_suppress():
    reviews = pd.DataFrame({
        "claim_id": ["c1", "c1", "c2", "c3", "c3"],
        "decision": ["accept", "defer", "needs_citation", "defer", "regrade"],
        "reviewed_at": ["2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "2026-01-01T00:00:00Z",
                        "2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z"],
    })
    assert check.reviewed_ids(check.latest_per_claim(reviews)) == {"c3"}


def test_precise_is_defined_in_the_docs():
    doc = (ROOT / "docs" / "check.md").read_text(encoding="utf-8")
    assert "precise" in doc and "non-vague" in doc and "CLAIMAUDIT_NO_BROWSER" in doc


def test_pre_commit_hook_definition_runs_the_gate_on_article_files():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["entry"].startswith("claimaudit check"))
    assert hook["language"] == "python"
    files = re.compile(hook["files"])
    assert all(files.search(p) for p in ("a/b.txt", "page.md", "x/y.html"))
    assert not files.search("src/claimaudit/check.py")


# --- the seeds, through the CLI ---------------------------------------------------------------
def _run(args):
    res = CliRunner().invoke(cli, args, catch_exceptions=False)
    return res.exit_code, [m.groupdict() for m in map(LINE.match, res.stdout.splitlines()) if m], res


def test_check_fails_on_the_seed_thresholds_and_passes_once_reviewed(tmp_path):
    claims_dir = tmp_path / "claims"
    articles = str(ROOT / "articles")
    store.write_machine_tables(claims_dir, pipeline.analyze(*_ingest(articles)))  # claims.csv for reviews

    code, found, res = _run(["check", articles, "--claims-dir", str(claims_dir)])
    assert code == 1, res.output
    assert len(found) == len(res.stdout.splitlines()), "every stdout line is a finding"
    by = {(f["rule"], f["quote"]) for f in found}
    assert ("operator_mismatch", ">6.5%") in by  # HbA1c: guidelines use ≥ 6.5 %
    assert ("operator_mismatch", ">7.0mmol/L") in by  # fasting glucose: ≥ 7.0 mmol/L
    assert ("value_deviates", "<100pg/ml") in by  # B12: common cut-off ≈ 200 pg/mL
    assert {f["rule"] for f in found} <= {"operator_mismatch", "value_deviates"}
    for f in found:  # file:line:col points at the quote in the file as written
        lines = Path(f["path"]).read_text(encoding="utf-8").split("\n")
        assert lines[int(f["line"]) - 1][int(f["col"]) - 1:].startswith(f["quote"]), f

    claims = pd.read_csv(claims_dir / "claims.csv", keep_default_na=False)
    flagged = claims[claims["reference_check"].isin(["operator_mismatch", "value_deviates"])]
    assert len(flagged) == len(found)

    # a deferral is not a decision: the gate still fails
    first = flagged["claim_id"].iloc[0]
    review.record_review(claims_dir, first, "editor", "defer", "needs_expert")
    code, still, _ = _run(["check", articles, "--claims-dir", str(claims_dir)])
    assert code == 1 and len(still) == len(found)

    for cid in flagged["claim_id"]:
        review.record_review(claims_dir, cid, "editor", "accept", "reference_wrong")
    code, after, res = _run(["check", articles, "--claims-dir", str(claims_dir)])
    assert code == 0 and after == [], res.output
    assert f"{len(found)} reviewed" in res.stderr

    # a later deferral reopens that finding
    review.record_review(claims_dir, first, "editor", "defer", "needs_source")
    code, again, _ = _run(["check", articles, "--claims-dir", str(claims_dir)])
    assert code == 1 and len(again) == 1


def test_rules_are_configurable_and_clean_pages_pass(tmp_path):
    page = tmp_path / "clean.txt"
    page.write_text("维生素B12缺乏很常见。\n\nSerum potassium below 3.5 mmol/L defines hypokalemia.\n",
                    encoding="utf-8")
    claims_dir = tmp_path / "claims"
    claims_dir.mkdir()
    code, found, res = _run(["check", str(page), "--claims-dir", str(claims_dir)])
    assert code == 0 and found == [], res.output

    seed = str(ROOT / "articles" / "004_91ad0826311c97d2.txt")
    code, found, _ = _run(["check", seed, "--claims-dir", str(claims_dir), "--fail-on", "value_deviates"])
    assert code == 1 and {f["rule"] for f in found} == {"value_deviates"}
    code, found, _ = _run(["check", seed, "--claims-dir", str(claims_dir), "--fail-on", "",
                           "--max-grade-e-precise", "1000"])
    assert code == 0 and found == []
    code, found, _ = _run(["check", seed, "--claims-dir", str(claims_dir), "--fail-on", "",
                           "--max-grade-e-precise", "0"])
    assert code == 1 and found and {f["rule"] for f in found} == {"grade_e_precise"}


def test_within_article_conflicts_fail_when_asked(tmp_path):
    seeds = str(ROOT / "articles")
    tables = pipeline.analyze(*_ingest(seeds))
    pairs = check.conflict_pairs(tables.claims, tables.groups)
    assert len(pairs), "the seeds hold a page that contradicts itself"
    code, found, _ = _run(["check", seeds, "--claims-dir", str(tmp_path), "--fail-on", "conflicting"])
    ids = set(pairs["claim_id_a"]) | set(pairs["claim_id_b"])
    assert code == 1 and len(found) == len(ids) and {f["rule"] for f in found} == {"conflicting"}


def test_unreadable_input_fails_the_gate(tmp_path):
    code, _, res = _run(["check", str(tmp_path / "missing.txt"), "--claims-dir", str(tmp_path)])
    assert code == 1 and "missing.txt" in res.stderr


def _ingest(path):
    from claimaudit import ingest

    articles, _ = ingest.ingest_paths([path])
    return (articles,)
