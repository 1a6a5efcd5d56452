"""The reviewers' workbook: layout, Excel round trip, and formula-injection safety."""
from __future__ import annotations

import zipfile

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

import review_fixtures as rf
from claimaudit import excel, review, store
from claimaudit.cli import cli

INJECTIONS = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "@SUM(A1:A9)", "-2+3"]


@pytest.fixture
def cdir(tmp_path):
    d = tmp_path / "claims"
    store.write_machine_tables(d, rf.tables())
    review.record_review(d, "c000000000003", "ann", "accept", "verified", reviewed_at="2026-01-01T00:00:00Z")
    return d


def _col(ws, name: str) -> int:
    return [c.value for c in ws[1]].index(name) + 1


def _row(ws, claim_id: str) -> int:
    j = _col(ws, "claim_id")
    return next(i for i in range(2, ws.max_row + 1) if ws.cell(i, j).value == claim_id)


def test_export_layout(cdir, tmp_path):
    path = tmp_path / "review.xlsx"
    assert review.export_workbook(cdir, path) == 5
    wb = load_workbook(path)
    assert wb.sheetnames == ["claims", "reasons", "columns", "_exported"]
    assert wb["_exported"].sheet_state == "hidden"
    ws = wb["claims"]
    header = [c.value for c in ws[1]]
    for col in ("claim_id", "article", "quote", "decision", "reason", "note", "grade", "sentence"):
        assert col in header
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    gj = _col(ws, "grade")
    fills = {ws.cell(i, gj).value: ws.cell(i, gj).fill.fgColor.rgb for i in range(2, ws.max_row + 1)}
    assert fills["E"].endswith(excel.GRADE_FILLS["E"]) and fills["D"].endswith(excel.GRADE_FILLS["D"])
    dv = {str(v.sqref).split(":")[0][:1]: v.formula1 for v in ws.data_validations.dataValidation}
    from openpyxl.utils import get_column_letter as L
    assert dv[L(_col(ws, "decision"))] == '"accept,correct,reject,regrade,needs_citation,defer"'
    assert dv[L(_col(ws, "reason"))].startswith("reasons!$A$2:$A$")
    i = _row(ws, "c000000000003")
    assert ws.cell(i, _col(ws, "decision")).value == "accept"  # current state shown
    assert ws.cell(i, _col(ws, "last_reviewer")).value == "ann"
    cols = {r[0].value: r[1].value for r in wb["columns"].iter_rows(min_row=2)}
    assert set(header) <= set(cols) and cols["decision"] == "yes" and cols["quote"] == "no"
    reasons = [r[0].value for r in wb["reasons"].iter_rows(min_row=2, max_row=23)]
    assert "wrong_value" in reasons


def test_round_trip_appends_exactly_the_changed_rows(cdir, tmp_path):
    path = tmp_path / "review.xlsx"
    review.export_workbook(cdir, path)
    before = (cdir / "reviews.csv").read_bytes()
    wb = load_workbook(path)
    ws = wb["claims"]
    d, r, n = _col(ws, "decision"), _col(ws, "reason"), _col(ws, "note")
    i1, i2, i3 = _row(ws, "c000000000001"), _row(ws, "c000000000004"), _row(ws, "c000000000003")
    ws.cell(i1, d).value, ws.cell(i1, r).value = "correct", "wrong_value"
    ws.cell(i1, n).value = "下限應為２天；見《指南》——ok ✓"
    ws.cell(i1, _col(ws, "corrected_value_low")).value = 2
    ws.cell(i1, _col(ws, "corrected_value_high")).value = "3"
    ws.cell(i2, d).value, ws.cell(i2, r).value = "reject", "not_health_claim"
    ws.cell(i3, n).value = "still fine, 확인"  # a changed note on an already reviewed claim
    wb.save(path)
    res = review.import_workbook(cdir, path, "王审稿")
    assert list(res.appended["claim_id"]) == ["c000000000001", "c000000000003", "c000000000004"]
    assert (cdir / "reviews.csv").read_bytes().startswith(before)  # old rows byte for byte
    df = review.load_reviews(cdir).set_index("review_id")
    assert len(df) == 4
    new = df.loc[[2, 3, 4]].set_index("claim_id")
    assert new.at["c000000000001", "note"] == "下限應為２天；見《指南》——ok ✓"
    assert new.at["c000000000001", "reviewer"] == "王审稿" and new.at["c000000000001", "value_low"] == 2.0
    assert new.at["c000000000001", "value_high"] == 3.0 and new.at["c000000000001", "via"] == "excel"
    assert new.at["c000000000004", "decision"] == "reject"
    assert new.at["c000000000003", "decision"] == "accept" and new.at["c000000000003", "note"] == "still fine, 확인"
    # importing the same workbook twice adds nothing; nor does a fresh export with no edits
    assert review.import_workbook(cdir, path, "王审稿").appended.empty
    path2 = tmp_path / "again.xlsx"
    review.export_workbook(cdir, path2)
    assert review.import_workbook(cdir, path2, "王审稿").appended.empty
    assert len(review.load_reviews(cdir)) == 4


def test_unchanged_export_imports_nothing_via_cli(cdir, tmp_path):
    path = tmp_path / "review.xlsx"
    runner = CliRunner()
    r = runner.invoke(cli, ["review", "export", "--claims-dir", str(cdir), "--to", str(path)])
    assert r.exit_code == 0, r.output
    before = (cdir / "reviews.csv").read_bytes()
    r = runner.invoke(cli, ["review", "import", str(path), "--reviewer", "ann", "--claims-dir", str(cdir)])
    assert r.exit_code == 0, r.output
    assert "0 review(s) appended" in r.output
    assert (cdir / "reviews.csv").read_bytes() == before


def test_workbook_without_export_state_compares_with_current_reviews(cdir, tmp_path):
    path = tmp_path / "review.xlsx"
    review.export_workbook(cdir, path)
    wb = load_workbook(path)
    del wb["_exported"]
    ws = wb["claims"]
    ws.cell(_row(ws, "c000000000002"), _col(ws, "decision")).value = "needs_citation"
    ws.cell(_row(ws, "c000000000002"), _col(ws, "reason")).value = "citation_missing"
    wb.save(path)
    res = review.import_workbook(cdir, path, "ann")
    assert list(res.appended["claim_id"]) == ["c000000000002"]  # the accepted claim 3 is unchanged


def test_bad_rows_import_nothing(cdir, tmp_path):
    path = tmp_path / "review.xlsx"
    review.export_workbook(cdir, path)
    wb = load_workbook(path)
    ws = wb["claims"]
    ws.cell(_row(ws, "c000000000001"), _col(ws, "decision")).value = "accept"
    ws.cell(_row(ws, "c000000000002"), _col(ws, "note")).value = "forgot the decision"
    ws.cell(_row(ws, "c000000000004"), _col(ws, "decision")).value = "approve"
    wb.save(path)
    before = (cdir / "reviews.csv").read_bytes()
    with pytest.raises(review.ReviewError) as e:
        review.import_workbook(cdir, path, "ann")
    assert "changed but no decision" in str(e.value) and "'approve'" in str(e.value)
    assert (cdir / "reviews.csv").read_bytes() == before


def test_review_of_vanished_claim_is_kept_as_orphan(cdir, tmp_path):
    path = tmp_path / "review.xlsx"
    review.export_workbook(cdir, path)
    wb = load_workbook(path)
    ws = wb["claims"]
    ws.cell(_row(ws, "c000000000005"), _col(ws, "decision")).value = "accept"
    wb.save(path)
    claims = rf.base_claims()
    store.write_machine_tables(cdir, rf.tables(claims[claims["claim_id"] != "c000000000005"]))
    res = review.import_workbook(cdir, path, "ann")
    assert len(res.appended) == 1 and "no longer in claims.csv" in res.warnings[0]
    orph = review.find_orphans(cdir)
    assert list(orph["claim_id"]) == ["c000000000005"] and orph.iloc[0]["quote"] == "30 minutes a day"


# --- formula injection --------------------------------------------------------------------------
def test_safe_cells_keep_exact_text_and_string_type(tmp_path):
    wb = Workbook()
    ws = wb.active
    df = pd.DataFrame({"quote": INJECTIONS, "n": [1, 2.5, None, True]})
    excel.write_sheet(ws, df)
    wb.save(tmp_path / "x.xlsx")
    ws2 = load_workbook(tmp_path / "x.xlsx")["Sheet"]
    for i, s in enumerate(INJECTIONS, 2):
        cell = ws2.cell(i, 1)
        assert cell.value == s and cell.data_type == "s"
    assert [ws2.cell(i, 2).value for i in range(2, 6)] == [1, 2.5, None, True]
    assert excel.safe_value("a\x01b") == "a\ufffdb" and excel.safe_value(float("nan")) is None


def test_formula_injection_in_note_and_quote_round_trips_as_text(cdir, tmp_path):
    claims = rf.base_claims()
    claims.loc[claims["claim_id"] == "c000000000004", "quote"] = INJECTIONS[0]
    claims.loc[claims["claim_id"] == "c000000000005", "sentence"] = INJECTIONS[3] + " " + INJECTIONS[2]
    store.write_machine_tables(cdir, rf.tables(claims))
    path = tmp_path / "review.xlsx"
    review.export_workbook(cdir, path)
    wb = load_workbook(path)
    ws = wb["claims"]
    q = ws.cell(_row(ws, "c000000000004"), _col(ws, "quote"))
    assert q.value == INJECTIONS[0] and q.data_type == "s"
    notes = {"c000000000001": INJECTIONS[0], "c000000000002": INJECTIONS[1], "c000000000004": INJECTIONS[2],
             "c000000000005": INJECTIONS[3]}
    for cid, note in notes.items():
        i = _row(ws, cid)
        ws.cell(i, _col(ws, "decision")).value = "defer"
        ws.cell(i, _col(ws, "reason")).value = "needs_expert"
        ws.cell(i, _col(ws, "note")).value = note  # a reviewer typing it makes a formula cell
    wb.save(path)
    review.import_workbook(cdir, path, "ann")
    got = review.current_state(review.load_reviews(cdir))
    for cid, note in notes.items():
        assert got.at[cid, "note"] == note
    assert got.at["c000000000004", "quote"] == INJECTIONS[0]
    # and exported again they are text cells, never formulas
    review.export_workbook(cdir, path)
    ws = load_workbook(path)["claims"]
    for cid, note in notes.items():
        cell = ws.cell(_row(ws, cid), _col(ws, "note"))
        assert cell.value == note and cell.data_type == "s" and cell.quotePrefix is (note[0] in "=+-@")
    with zipfile.ZipFile(path) as z:  # the sheet XML holds no formula element anywhere
        xml = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml and "<f " not in xml and "HYPERLINK" in xml
