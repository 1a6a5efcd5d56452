"""The cited threshold table, the analyte lexicon, pint conversions and the threshold check."""
from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest

from claimaudit import reference as r
from claimaudit.config import data_path, load_yaml
from claimaudit.literals import LiteralOwners

ROOT = Path(__file__).resolve().parents[1]
SEED_004 = ROOT / "articles" / "004_91ad0826311c97d2.txt"


@pytest.fixture(scope="module")
def ref() -> pd.DataFrame:
    return r.load_reference()


def claim(sentence: str, quote: str, lo, hi, unit: str, comparator: str, lang: str = "zh-Hans",
          kind: str = "threshold", base: int = 1000, occurrence: int = 0) -> dict:
    """A hand-built claim row with consistent offsets (sentence placed at ``base``)."""
    i = -1
    for _ in range(occurrence + 1):
        i = sentence.index(quote, i + 1)
    return dict(claim_id=f"c{base + i:012x}", sentence=sentence, quote=quote, start=base + i,
                end=base + i + len(quote), sentence_start=base, sentence_end=base + len(sentence),
                value_low=lo, value_high=hi, unit=unit, comparator=comparator, lang=lang, kind=kind)


_DEFAULT: list[pd.DataFrame] = []


def check(*rows: dict, table: pd.DataFrame | None = None) -> pd.DataFrame:
    if table is None:
        _DEFAULT[:] = _DEFAULT or [r.load_reference()]
        table = _DEFAULT[0]
    return r.check_references(pd.DataFrame(list(rows)), table)


def outcome(row: dict, table: pd.DataFrame | None = None) -> tuple[str, str]:
    out = check(row, table=table).iloc[0]
    return out["reference_check"], out["reference_key"]


# ------------------------------------------------------------------ the table and the lexicon

def test_every_row_is_cited_with_a_year(ref):
    raw = list(csv.DictReader(open(data_path("reference.csv"), encoding="utf-8")))
    assert len(raw) == len(ref)
    for row in raw:
        assert row["source"].strip(), row["key"]
        assert 1900 <= int(row["source_year"]) <= 2100, row["key"]
        assert row["comparator"] in r.COMPARATORS, row["key"]
        assert r.unit_known(row["unit"]), row["unit"]
    usable = ref[ref["confidence"] != "unverified"]
    assert len(usable) >= 30
    assert ref["key"].is_unique


def test_reference_analytes_and_lexicon_agree(ref):
    lex = load_yaml("analytes.yaml")["analytes"]
    used = set(ref["analyte"])
    assert used <= set(lex), used - set(lex)
    for key, entry in lex.items():
        # every lexicon analyte has rows, stands for another one, or says why it has none
        assert key in used or entry.get("resolve_to") or entry.get("unreferenced"), key
        for other in [*entry.get("fallback", []), entry.get("resolve_to"), entry.get("second_of_pair")]:
            assert other is None or other in lex, (key, other)
        assert r._entry_terms(entry), key


def test_unit_registry_is_shared_and_knows_the_package_units():
    ureg = r.unit_registry()
    assert ureg is r.unit_registry()
    for unit in ("IU", "cun", "mmHg", "percent", "kg/m2", "μmol/L", "celsius", "mL/min/1.73m²", "ratio"):
        assert r.unit_known(unit), unit
    assert not r.unit_known("furlongs of doom")
    assert not r.unit_known("mEq/L")  # valence-dependent: cited rows state mmol/L


# ------------------------------------------------------------------ pint conversions

def test_glucose_mass_to_molar_conversion():
    q = r.to_quantity(126, "mg/dL", "fasting_glucose")
    assert r.convert(q, "mmol/L", "fasting_glucose") == pytest.approx(7.0, rel=0.02)
    back = r.convert(r.to_quantity(7.0, "mmol/L", "fasting_glucose"), "mg/dL", "fasting_glucose")
    assert back == pytest.approx(126, rel=0.02)


def test_b12_and_urate_and_equivalents():
    assert r.convert(r.to_quantity(200, "pg/mL", "vitamin_b12"), "pmol/L", "vitamin_b12") == \
        pytest.approx(148, rel=0.01)
    assert r.convert(r.to_quantity(7, "mg/dL", "uric_acid"), "μmol/L", "uric_acid") == \
        pytest.approx(416.4, rel=0.002)
    # calcium is divalent: 5 mEq/L = 2.5 mmol/L; potassium monovalent
    assert r.convert(r.to_quantity(5, "mEq/L", "calcium"), "mmol/L", "calcium") == pytest.approx(2.5)
    assert r.convert(r.to_quantity(4, "mEq/L", "potassium"), "mmol/L", "potassium") == pytest.approx(4)
    assert r.convert(r.to_quantity(13, "g/dL", "hemoglobin"), "g/L", "hemoglobin") == pytest.approx(130)


def test_incompatible_units_do_not_convert():
    assert r.convert(r.to_quantity(6.5, "percent", "fasting_glucose"), "mmol/L", "fasting_glucose") is None
    assert r.convert(r.to_quantity(2, "cun", "depth_huantiao"), "cm") is None
    # HbA1c in IFCC mmol/mol is not a dimensionless fraction of percent
    assert r.to_quantity(48, "mmol/mol", "hba1c") is None
    # a bare number takes the analyte's usual unit, per language family
    assert r.effective_unit("", "fasting_glucose", "zh-Hant") == "mmol/L"
    assert r.effective_unit("", "fasting_glucose", "en") == "mg/dL"


# ------------------------------------------------------------------ outcomes

def test_each_outcome_occurs():
    s = "低钾血症(血清钾<3.5mmol/L)提示需要补钾,维生素B12<100pg/ml可确诊。"
    out = check(
        claim(s, "<3.5mmol/L", None, 3.5, "mmol/L", "lt"),
        claim("需结合空腹血糖>7.0mmol/L判断。", "空腹血糖>7.0mmol/L", 7.0, None, "mmol/L", "gt"),
        claim(s, "维生素B12<100pg/ml", None, 100, "pg/mL", "lt"),
        claim("行走500m内小腿疼痛", "500m内", None, 500, "meter", "lt"),
    )
    assert list(out["reference_check"]) == ["matches", "operator_mismatch", "value_deviates", "no_reference"]
    assert list(out["reference_key"])[:3] == ["erc2021_hypokalaemia", "ada2024_fpg_diabetes",
                                              "bsh2014_b12_deficiency"]
    b12 = out.iloc[2]
    assert (b12["reference_comparator"], b12["reference_value"], b12["reference_unit"]) == ("lt", "148", "pmol/L")
    assert list(out.iloc[3][r.OUTPUT_COLUMNS[1:]]) == ["", "", "", ""]


def test_abi_strict_less_than_is_an_operator_mismatch():
    row = claim("ABI(踝肱指数)<0.9提示缺血。", "ABI(踝肱指数)<0.9", None, 0.9, "ratio", "lt")
    assert outcome(row) == ("operator_mismatch", "aha2016_abi_pad")
    row = claim("An ankle-brachial index of 0.90 or less is abnormal.", "0.90 or less", None, 0.9, "ratio", "le",
                lang="en")
    assert outcome(row) == ("matches", "aha2016_abi_pad")


def test_converted_units_match_within_tolerance_but_same_unit_must_agree():
    row = claim("A fasting plasma glucose of 126 mg/dL or higher means diabetes.", "126 mg/dL or higher",
                126, None, "mg/dL", "ge", lang="en")
    assert outcome(row) == ("matches", "ada2024_fpg_diabetes")
    # 126 mg/dL is 6.99 mmol/L: nearer the diabetes cut-off 7.0 than the prediabetes end 6.9
    row = claim("Fasting glucose above 126 mg/dL means diabetes.", "above 126 mg/dL", 126, None, "mg/dL", "gt",
                lang="en")
    assert outcome(row) == ("operator_mismatch", "ada2024_fpg_diabetes")
    row = claim("空腹血糖100~125mg/dl属于糖尿病前期", "100~125mg/dl", 100, 125, "mg/dL", "range")
    assert outcome(row) == ("matches", "ada2024_fpg_prediabetes")
    # 7.1 is within 2 % of 7.0 but not the same cut-off when written in the same unit
    row = claim("空腹血糖≥7.1mmol/L即可诊断", "≥7.1mmol/L", 7.1, None, "mmol/L", "ge")
    assert outcome(row) == ("value_deviates", "ada2024_fpg_diabetes")
    # the upper end of a cited category range: ">= 6.4" restates "6.4 is still prediabetes" wrongly
    row = claim("糖化血红蛋白≥6.4%即可诊断", "≥6.4%", 6.4, None, "percent", "ge")
    assert outcome(row) == ("operator_mismatch", "ada2024_hba1c_prediabetes")


def test_nearest_cited_cutoff_is_chosen_among_populations():
    assert outcome(claim("女性血红蛋白<120g/L为贫血", "<120g/L", None, 120, "g/L", "lt"))[1] == \
        "who2011_anaemia_women"
    assert outcome(claim("BMI≥28为肥胖", "≥28", 28, None, "", "ge")) == ("matches", "wst428_bmi_obese")
    assert outcome(claim("BMI≥30 is obesity", "≥30", 30, None, "", "ge", lang="en")) == \
        ("matches", "who2000_bmi_obese")


def test_blood_pressure_pair_reads_second_number_as_diastolic():
    s = "血压≥140/90mmHg即为高血压"
    assert outcome(claim(s, "≥140", 140, None, "mmHg", "ge")) == ("matches", "esh2023_htn_sbp")
    assert outcome(claim(s, "90mmHg", 90, None, "mmHg", "ge")) == ("matches", "esh2023_htn_dbp")


def test_ranges_and_points_against_cited_ranges():
    assert outcome(claim("空腹血糖5.6~6.9mmol/L为糖尿病前期", "5.6~6.9mmol/L", 5.6, 6.9, "mmol/L", "range")) == \
        ("matches", "ada2024_fpg_prediabetes")
    assert outcome(claim("ABI 0.91~0.99 为临界", "0.91~0.99", 0.91, 0.99, "ratio", "range")) == \
        ("matches", "aha2016_abi_borderline")
    assert outcome(claim("体温38.5℃属于中等度热", "38.5℃", 38.5, 38.5, "celsius", "eq")) == \
        ("matches", "diag9_fever_moderate")
    # the lower end of a category is inclusive: "> 37.3" leaves 37.3 out
    assert outcome(claim("体温超过37.3℃为发热", "超过37.3℃", 37.3, None, "celsius", "gt")) == \
        ("operator_mismatch", "diag9_fever_low")
    # a reference interval read from either side
    assert outcome(claim("血钾>5.3mmol/L为高钾", ">5.3mmol/L", 5.3, None, "mmol/L", "gt")) == \
        ("matches", "wst404_potassium_interval")


def test_traditional_script_and_taiwan_terms_match():
    assert outcome(claim("低鉀血症(血清鉀<3.5mmol/L)", "<3.5mmol/L", None, 3.5, "mmol/L", "lt", "zh-Hant")) == \
        ("matches", "erc2021_hypokalaemia")
    assert outcome(claim("糖化血色素>6.5%即為糖尿病", ">6.5%", 6.5, None, "percent", "gt", "zh-Hant")) == \
        ("operator_mismatch", "ada2024_hba1c_diabetes")
    assert outcome(claim("餐後兩小時血糖≥11.1mmol/L", "≥11.1mmol/L", 11.1, None, "mmol/L", "ge", "zh-Hant")) == \
        ("matches", "ada2024_ogtt2h_diabetes")


def test_no_reference_when_analyte_is_far_or_absent():
    far = "血清钾这项检查在门诊很常见,医生通常会结合症状、病史和其他化验结果一起判断,数值<3.5mmol/L"
    assert outcome(claim(far, "<3.5mmol/L", None, 3.5, "mmol/L", "lt")) == ("no_reference", "")
    # creatinine is recognised but has no cited row
    assert outcome(claim("血肌酐>133μmol/L", ">133μmol/L", 133, None, "μmol/L", "gt")) == ("no_reference", "")
    # a claim without values cannot be compared
    assert outcome(claim("血清钾偏低", "偏低", None, None, "", "lt")) == ("no_reference", "")


def test_non_thresholds_get_empty_columns_and_input_is_untouched():
    rows = pd.DataFrame([
        claim("血清钾<3.5mmol/L", "<3.5mmol/L", None, 3.5, "mmol/L", "lt", kind="effect_size"),
        claim("血清钾<3.5mmol/L", "<3.5mmol/L", None, 3.5, "mmol/L", "lt"),
    ], index=[7, 3])
    before = rows.copy()
    out = r.check_references(rows, r.load_reference())
    pd.testing.assert_frame_equal(rows, before)
    assert list(out.columns) == list(rows.columns) + r.OUTPUT_COLUMNS
    assert list(out.index) == [7, 3]
    assert list(out.loc[7, r.OUTPUT_COLUMNS]) == [""] * 5
    assert out.loc[3, "reference_check"] == "matches"


# ------------------------------------------------------------------ loading and validation

def _write(tmp_path: Path, rows: list[dict]) -> Path:
    cols = list(dict.fromkeys(k for row in rows for k in row))
    with open(tmp_path / "reference.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, cols, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return tmp_path


GOOD = dict(key="x_k_low", analyte="potassium", analyte_or_measure="serum potassium", comparator="lt",
            value="3.6", unit="mmol/L", meaning="test", source="Some Guideline. J 2020;1:1-2", source_year="2020")


def test_claims_dir_copy_wins_and_may_extend(tmp_path):
    assert r.load_reference(tmp_path).attrs["path"] == str(data_path("reference.csv"))
    table = r.load_reference(_write(tmp_path, [GOOD]))
    assert list(table["key"]) == ["x_k_low"] and table.attrs["path"].startswith(str(tmp_path))
    row = claim("血清钾<3.6mmol/L", "<3.6mmol/L", None, 3.6, "mmol/L", "lt")
    assert outcome(row, table) == ("matches", "x_k_low")
    # a reviewer can add an analyte with its own words
    new = dict(GOOD, key="x_ferritin", analyte="ferritin", value="15", unit="μg/L", terms="铁蛋白;ferritin")
    table = r.load_reference(_write(tmp_path, [GOOD, new]))
    assert outcome(claim("血清铁蛋白<15μg/L", "<15μg/L", None, 15, "μg/L", "lt"), table) == ("matches", "x_ferritin")


def test_unverified_rows_wait_for_a_reviewer(tmp_path, ref):
    row = claim("一般留针20分钟", "20分钟", 20, 20, "minute", "eq")
    assert outcome(row, ref) == ("no_reference", "")
    confirmed = ref[ref["key"] == "zjx10_needle_retention"].assign(confidence="high")
    assert outcome(row, confirmed) == ("matches", "zjx10_needle_retention")


@pytest.mark.parametrize("change, message", [
    (dict(source=""), "empty source"),
    (dict(source_year=""), "not a year"),
    (dict(comparator="below"), "comparator"),
    (dict(unit="bogons/L"), "unknown to pint"),
    (dict(value="three"), "not a number"),
    (dict(comparator="range", value_high="1"), "value_high"),
    (dict(analyte="no_such_analyte"), "not in data/analytes.yaml"),
])
def test_bad_rows_raise_naming_the_row(tmp_path, change, message):
    rows = [dict(GOOD, value_high=""), dict(GOOD, key="bad_row", value_high="", **{k: v for k, v in change.items()
                                                                                   if k != "value_high"})]
    if "value_high" in change:
        rows[1]["value_high"] = change["value_high"]
    with pytest.raises(r.ReferenceTableError, match=message) as err:
        r.load_reference(_write(tmp_path, rows))
    assert "line 3" in str(err.value) and "bad_row" in str(err.value)


def test_missing_column_and_duplicate_key(tmp_path):
    with pytest.raises(r.ReferenceTableError, match="source_year"):
        r.load_reference(_write(tmp_path, [{k: v for k, v in GOOD.items() if k != "source_year"}]))
    with pytest.raises(r.ReferenceTableError, match="duplicate"):
        r.load_reference(_write(tmp_path, [GOOD, GOOD]))


# ------------------------------------------------------------------ the seed page

def test_seed_004_thresholds():
    text = SEED_004.read_text(encoding="utf-8")
    expected = {
        "糖化血红蛋白>6.5%": ("operator_mismatch", 6.5, None, "percent", "gt"),
        "空腹血糖>7.0mmol/L": ("operator_mismatch", 7.0, None, "mmol/L", "gt"),
        "ABI(踝肱指数)<0.9": ("operator_mismatch", None, 0.9, "ratio", "lt"),
        "血清钾<3.5mmol/L": ("matches", None, 3.5, "mmol/L", "lt"),
        "血清钙<2.2mmol/L": ("value_deviates", None, 2.2, "mmol/L", "lt"),
        "血清维生素B12<100pg/ml": ("value_deviates", None, 100, "pg/mL", "lt"),
    }
    rows = []
    for quote, (_, lo, hi, unit, comp) in expected.items():
        start = text.index(quote)
        s0 = max(text.rfind("\n", 0, start), text.rfind("。", 0, start)) + 1
        s1 = text.index("。", start) + 1
        rows.append(dict(sentence=text[s0:s1], quote=quote, start=start, end=start + len(quote),
                         sentence_start=s0, value_low=lo, value_high=hi, unit=unit, comparator=comp,
                         lang="zh-Hans", kind="threshold"))
    out = r.check_references(pd.DataFrame(rows), r.load_reference())
    assert list(out["reference_check"]) == [v[0] for v in expected.values()]
    assert not math.isnan(float(out["reference_value"].iloc[-1]))


def test_output_columns_follow_the_contract_and_table_columns_are_documented(ref):
    from claimaudit import schema
    from claimaudit.schema_columns import REFERENCE_COLUMNS

    assert r.OUTPUT_COLUMNS == REFERENCE_COLUMNS
    assert schema.undocumented_columns("reference", ref.columns) == []


def _seconds_for(pad: int) -> float:
    import time

    s = "血清钾" + "　" * 3 + "很" * pad + " " * pad + "1/" * pad + "血钾<3.5mmol/L"
    row = claim(s, "<3.5mmol/L", None, 3.5, "mmol/L", "lt")
    frame = pd.DataFrame([row] * 5)
    table = r.load_reference()
    t0 = time.perf_counter()
    out = r.check_references(frame, table)
    elapsed = time.perf_counter() - t0
    assert set(out["reference_check"]) == {"matches"}
    return elapsed


def test_long_unspaced_sentences_stay_linear():
    # analyte search is windowed; only the same-length simplified view reads the whole sentence
    _seconds_for(100)
    small, large = _seconds_for(2_000), _seconds_for(40_000)
    assert large / max(small, 1e-4) < 20 * 8  # 20x the text; generous slack for a busy machine


def test_a_claim_on_the_other_side_of_a_cut_off_is_checked_against_it():
    """"BMI控制在24以下" restates the overweight cut-off (≥ 24) from the other side."""
    from claimaudit import reference as r

    ref = r.load_reference()
    rows = [
        {"kind": "threshold", "sentence": "体重指数（BMI）最好控制在24以下。", "quote": "24以下", "start": 14,
         "end": 18, "sentence_start": 0, "value_low": None, "value_high": 24.0, "unit": "ratio",
         "comparator": comp, "lang": "zh-Hans"}
        for comp in ("le", "lt")]
    out = r.check_references(pd.DataFrame(rows), ref)
    assert list(out["reference_comparator"]) == ["ge", "ge"]
    assert list(out["reference_check"]) == ["operator_mismatch", "matches"]


def test_literal_owners_find_every_literal_that_occurs_overlapping_ones_too():
    idx = LiteralOwners([("空腹血糖", 0), ("血糖", 1), ("糖化", 2), ("b12", 3), ("b", 4), ("x", 5)])
    assert idx.find("空腹血糖化验 vitamin b12") == {0, 1, 2, 3, 4}
    assert idx.find("血糖") == {1}
    assert LiteralOwners([]).find("血糖") == set()
