"""datapackage.json is valid Frictionless, and the pandera schema mirrors it (drift fails here)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandera.errors
import pytest
from frictionless import validate

import review_fixtures as rf
from claimaudit import review, schema, store
from claimaudit.schema_columns import ALL_CLAIM_COLUMNS


@pytest.fixture
def cdir(tmp_path):
    d = tmp_path / "claims"
    store.write_machine_tables(d, rf.tables())
    review.record_review(d, "c000000000001", "ann", "correct", "wrong_value", "下限应为2天", value_low=2, value_high=3)
    review.record_review(d, "c000000000002", "bob", "regrade", "evidence_underrated", grade="C")
    return d


def frictionless_cli() -> str:
    return str(Path(sys.executable).with_name("frictionless"))


def test_frictionless_validate_cli_passes(cdir):
    r = subprocess.run([frictionless_cli(), "validate", str(cdir / "datapackage.json")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "INVALID" not in r.stdout and r.stdout.count("VALID") == len(schema.TABLES)


def test_descriptor_has_keys_types_and_descriptions(cdir):
    pkg = json.loads((cdir / "datapackage.json").read_text(encoding="utf-8"))
    names = [r["name"] for r in pkg["resources"]]
    assert names == list(schema.TABLES)
    claims = schema.resource(pkg, "claims")
    assert claims["schema"]["primaryKey"] == "claim_id"
    fk_targets = {fk["reference"]["resource"] for fk in claims["schema"]["foreignKeys"]}
    assert fk_targets == {"articles", "documents", "groups", "reference"}
    for r in pkg["resources"]:
        for f in r["schema"]["fields"]:
            assert f["type"] in {"string", "integer", "number", "boolean"}
            assert f.get("description") and "not yet documented" not in f["description"], (r["name"], f)
    rev = {f["name"]: f for f in schema.resource(pkg, "reviews")["schema"]["fields"]}
    decisions, reasons = schema.review_vocabulary()
    assert rev["decision"]["constraints"]["enum"] == list(decisions)
    assert rev["reason"]["constraints"]["enum"] == list(reasons)
    assert "foreignKeys" not in schema.resource(pkg, "reviews")["schema"]  # orphans are allowed


def _errors(cdir) -> list[str]:
    report = validate(str(cdir / "datapackage.json"))
    return [e.type for t in report.tasks for e in t.errors] + [e.type for e in report.errors]


@pytest.mark.parametrize("column,value,error", [
    ("grade", "F", "constraint-error"),
    ("doc_id", "nowhere.txt#0", "foreign-key"),
    ("claim_id", "not-an-id", "constraint-error"),
])
def test_broken_claims_fail_both_validators(cdir, column, value, error):
    df = store.read_text_csv(cdir / "claims.csv")
    df.loc[0, column] = value
    store.write_csv(df, cdir / "claims.csv")
    assert error in _errors(cdir)
    desc = store.package_descriptor(cdir)
    loaded = store.load_table(cdir, "claims")
    if column != "doc_id":  # cross-table keys are frictionless' job
        with pytest.raises(pandera.errors.SchemaError):
            schema.pandera_schema(schema.resource(desc, "claims")).validate(loaded)


def test_bad_review_code_fails_both_validators(cdir):
    text = (cdir / "reviews.csv").read_text(encoding="utf-8").replace(",regrade,", ",upgrade,")
    (cdir / "reviews.csv").write_text(text, encoding="utf-8")
    assert "constraint-error" in _errors(cdir)
    with pytest.raises(pandera.errors.SchemaError):
        schema.pandera_schema(schema.resource(store.package_descriptor(cdir), "reviews")).validate(
            review.load_reviews(cdir))


def test_pandera_mirrors_datapackage(cdir):
    """The drift test: names, types and enums agree for every table, and both accept the data."""
    pkg = json.loads((cdir / "datapackage.json").read_text(encoding="utf-8"))
    loaded = store.load_package(cdir)
    for res in pkg["resources"]:
        ps = schema.pandera_schema(res)
        assert schema.pandera_summary(ps) == schema.field_summary(res), res["name"]
        ps.validate(loaded[res["name"]])
    # the template is the one description: every written resource agrees with it on documented fields
    for res in pkg["resources"]:
        tmpl = {f["name"]: f for f in schema.resource(schema.template(), res["name"])["schema"]["fields"]}
        for f in res["schema"]["fields"]:
            if f["name"] in tmpl:
                assert f == tmpl[f["name"]]


def test_template_claims_columns_follow_the_contract():
    assert schema.template_columns("claims") == ALL_CLAIM_COLUMNS
    assert schema.template_columns("reviews") == review.REVIEW_COLUMNS


def test_review_reasons_data_file_is_consistent():
    decisions, reasons = schema.review_vocabulary()
    assert list(decisions) == ["accept", "correct", "reject", "regrade", "needs_citation", "defer"]
    assert all(d.strip() for d in decisions.values())
    for code, r in reasons.items():
        assert code.isidentifier() and code == code.lower()
        assert r["description"].strip()
        assert r["decisions"] and set(r["decisions"]) <= set(decisions), code
    for d in decisions:  # every decision has at least one reason to give
        assert any(d in r["decisions"] for r in reasons.values()), d


def test_pipeline_columns_are_all_documented(tmp_path):
    """Drift between the stages' real output and the template (run on the seed articles)."""
    from claimaudit import config, ingest, pipeline

    cdir = tmp_path / "claims"
    articles, _ = ingest.ingest_paths([str(config.articles_dir())])
    tables = pipeline.analyze(articles)
    store.write_machine_tables(cdir, tables)
    assert len(tables.claims) > 0
    for name in ("articles", "documents", "claims", "groups", "checklist", "reference"):
        assert schema.undocumented_columns(name, getattr(tables, name).columns) == [], name
    assert "sha256" in tables.articles.columns
    assert _errors(cdir) == []
    desc = store.package_descriptor(cdir)
    for name, df in store.load_package(cdir).items():
        schema.pandera_schema(schema.resource(desc, name)).validate(df)
    # a re-run on unchanged articles rewrites nothing (git diff stays empty)
    before = {p.name: p.read_bytes() for p in cdir.iterdir() if p.is_file()}
    store.write_machine_tables(cdir, pipeline.analyze(ingest.ingest_paths([str(config.articles_dir())])[0]))
    assert {p.name: p.read_bytes() for p in cdir.iterdir() if p.is_file()} == before
