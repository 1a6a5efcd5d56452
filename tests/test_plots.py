"""Charts: the CJK font is registered, Chinese labels draw without missing-glyph warnings, and the
saved PNG/SVG files are byte-for-byte reproducible."""
from __future__ import annotations

import io
import warnings

import matplotlib
import pytest

from claimaudit import consistency as cs, plots
from consistency_frames import seed_frames


@pytest.fixture(scope="module")
def tables():
    claims, docs, texts = seed_frames()
    docs = docs.assign(site=["复禾健康", "复禾健康", "醫聯網", "民福康", ""])
    out, groups = cs.group_claims(claims, documents=docs, texts=texts)
    return {"claims": out, "groups": groups, "documents": docs}


def test_a_cjk_font_is_registered_first():
    name = plots.setup_fonts()
    assert name, "no CJK font found: install fonts-wqy-microhei (scripts/setup-test-machine.sh)"
    assert matplotlib.rcParams["font.sans-serif"][0] == name
    assert matplotlib.rcParams["svg.hashsalt"]


def test_chinese_labels_draw_without_missing_glyph_warnings(tables):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for fig in (plots.forest_chart(tables["claims"], tables["groups"], documents=tables["documents"]),
                    plots.agreement_heatmap(tables["claims"], tables["groups"], tables["documents"]),
                    plots.grade_chart(tables["claims"])):
            fig.savefig(io.BytesIO(), format="png")
    glyph = [str(w.message) for w in caught if "glyph" in str(w.message).lower()
             or "missing from" in str(w.message).lower()]
    assert not glyph, glyph[:3]
    assert not caught, [str(w.message) for w in caught][:3]


def test_forest_rows_mark_open_bounds_and_sources(tables):
    rows = plots.forest_rows(tables["claims"], "g-acupuncture-weakness_numbness_duration-time",
                             tables["documents"])
    assert len(rows) == 5
    by_quote = rows.set_index(rows["quote"].str.split(" ").str[0])
    assert by_quote.loc["24小时内", "open_low"] and not by_quote.loc["24小时内", "open_high"]
    assert not by_quote.loc["1-3天", "open_low"] and not by_quote.loc["1-3天", "open_high"]
    assert "alarm" in rows.loc[rows["quote"].str.startswith("超过72小时"), "quote"].iloc[0]
    assert rows["label"].str.contains("复禾健康 · #0 · zh-Hans").any()
    assert rows["label"].str.contains("醫聯網 · #0 · en").any()


def test_agreement_matrix_marks_the_outlier(tables):
    m = plots.agreement_matrix(tables["claims"], tables["groups"], tables["documents"])
    col = m["g-acupuncture-weakness_numbness_duration-time"]
    fuhe = col[col.index.str.startswith("复禾健康 · 000_")].iloc[0]
    en = col[col.index.str.contains("002_")].iloc[0]
    assert fuhe == pytest.approx(2 / 3) and en == 1.0  # 1-3 天 departs from the ≤ 24 h consensus


def test_saved_figures_are_reproducible(tables, tmp_path):
    a = plots.save_figures(tables, tmp_path / "a")
    b = plots.save_figures(tables, tmp_path / "b")
    assert [p.name for p in a] == [p.name for p in b]
    assert {p.suffix for p in a} == {".png", ".svg"} and len(a) == 6
    for pa, pb in zip(a, b):
        assert pa.read_bytes() == pb.read_bytes(), pa.name
    svg = next(p for p in a if p.name == "consistency-intervals.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in svg


def test_empty_tables_still_give_figures(tmp_path):
    import pandas as pd

    paths = plots.save_figures({"claims": pd.DataFrame(columns=["claim_id", "grade", "role"]),
                                "groups": None}, tmp_path)
    assert len(paths) == 6 and all(p.stat().st_size > 0 for p in paths)


def test_charts_show_disagreeing_groups_first(tables):
    ids = plots.chart_groups(tables["groups"])
    assert ids[0] == "g-acupuncture-weakness_numbness_duration-time"
    assert plots.chart_groups(tables["groups"], limit=0) == []
    assert len(plots.chart_groups(tables["groups"], min_compared=1)) == min(plots.MAX_PANELS, len(tables["groups"]))
