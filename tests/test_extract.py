"""Claim assembly: provenance, stable ids, determinism, and the extract CLI."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from claimaudit import extract, ingest
from claimaudit.cli import cli

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = sorted((ROOT / "articles").iterdir())


def _claims_of(path: Path) -> tuple[ingest.Article, pd.DataFrame]:
    art = ingest.read_article(path)
    return art, extract.extract_claims([art])


def test_every_claim_quotes_its_article_and_sits_in_a_content_document():
    arts, _ = ingest.ingest_paths([ROOT / "articles"])
    claims = extract.extract_claims(arts)
    assert len(claims) > 30
    by_name = {a.name: a for a in arts}
    for r in claims.itertuples():
        text = by_name[r.article].text
        assert text[r.start:r.end] == r.quote
        assert text[r.sentence_start:r.sentence_end] == r.sentence
        assert r.sentence_start <= r.start < r.end <= r.sentence_end
        doc = next(d for d in by_name[r.article].documents if d.doc_id == r.doc_id)
        assert doc.role in ("main", "answer", "related") and doc.start <= r.start and r.end <= doc.end
    assert claims["claim_id"].is_unique
    assert list(claims["claim_id"]) == sorted(claims["claim_id"])
    assert list(claims.columns) == extract.CLAIM_COLUMNS


def test_claim_ids_survive_unrelated_edits(tmp_path):
    src = ROOT / "articles" / ARTICLES[0].name
    _, before = _claims_of(src)
    text = src.read_text(encoding="utf-8")
    lines = text.split("\n")
    mid = len(lines) // 2
    edited = "\n".join(["新增的一段导语，没有数字。", ""] + lines[:mid] + ["", "插入的段落，也没有数字。", ""]
                       + lines[mid:] + ["", "文末补充说明。"])
    p = tmp_path / src.name
    p.write_text(edited, encoding="utf-8")
    _, after = _claims_of(p)
    assert set(before["claim_id"]) == set(after["claim_id"])


def test_editing_a_claim_changes_only_its_own_id(tmp_path):
    src = ARTICLES[0]
    art, before = _claims_of(src)
    victim = before.sort_values("start").iloc[len(before) // 2]
    text = art.text
    edited = text[:victim.start] + "九十九" + text[victim.end:]
    p = tmp_path / src.name
    p.write_text(edited, encoding="utf-8")
    _, after = _claims_of(p)
    lost = set(before["claim_id"]) - set(after["claim_id"])
    assert victim.claim_id in lost
    assert len(lost) <= 3  # only claims whose 8-char context touched the edit


def test_extract_cli_is_byte_identical_across_runs(tmp_path):
    runner = CliRunner()
    outs = []
    for i in range(2):
        out = tmp_path / f"c{i}.csv"
        res = runner.invoke(cli, ["extract", str(ROOT / "articles"), "-o", str(out)])
        assert res.exit_code == 0, res.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    df = pd.read_csv(tmp_path / "c0.csv", keep_default_na=False)
    assert {"claim_id", "grade", "grade_trace", "reference_check"} <= set(df.columns)
    assert b"\r\n" not in outs[0] and not outs[0].startswith(b"\xef\xbb\xbf")


def test_extract_cli_names_a_bad_file_and_still_writes_the_good_ones(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_text("血清钾<3.5mmol/L提示低钾血症。", encoding="utf-8")
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    out = tmp_path / "c.csv"
    res = CliRunner().invoke(cli, ["extract", str(tmp_path / "in"), "-o", str(out)])
    assert res.exit_code == 1
    assert "empty.txt" in res.output and "Traceback" not in res.output
    df = pd.read_csv(out, keep_default_na=False)
    assert (df["article"] == "good.txt").any()


def test_claims_frame_types_its_columns_whether_or_not_there_are_rows():
    arts, _ = ingest.ingest_paths([sorted((Path(__file__).parents[1] / "articles").iterdir())[0]])
    full = extract.extract_claims(arts)
    empty = extract.claims_frame([])
    assert len(full) >= 1 and len(empty) == 0
    assert list(full.columns) == list(empty.columns) == extract.CLAIM_COLUMNS
    assert full.dtypes.equals(empty.dtypes)  # strings stay object, numbers and flags typed
    assert str(empty.dtypes["quote"]) == "object" and str(empty.dtypes["start"]) == "int64"
    assert str(empty.dtypes["cue_start"]) == "Int64" and str(empty.dtypes["hedged"]) == "bool"
