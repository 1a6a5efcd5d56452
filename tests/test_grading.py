"""The rubric: data guards, each rule firing and absent, golden cases, traces, seeds, checklist."""
from __future__ import annotations

import json
import math
from pathlib import Path

import opencc
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings, strategies as st

from claimaudit import cues, extract, grading, ingest, literals
from claimaudit.config import load_yaml
from grading_cases import CASES, grade_case, load_cases

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = load_yaml("rubric.yaml")
RULE_CASES = yaml.safe_load((CASES / "rubric_rules.yaml").read_text(encoding="utf-8"))
GOLDEN = load_cases("grading")
S2T = opencc.OpenCC("s2t")


def _rules(trace_json: str) -> list[str]:
    return [t["rule"] for t in json.loads(trace_json)]


# --- the rubric file ---------------------------------------------------------------------------
def test_rubric_defines_grades_starts_floors_and_rules():
    scale = grading.grade_scale()
    assert scale == ["A", "B", "C", "D", "E"]
    assert all(g["meaning"] for g in RUBRIC["grades"])
    assert set(RUBRIC["start"]) == set(cues.EVIDENCE_CUES)
    assert set(RUBRIC["start"].values()) <= set(scale)
    assert set(RUBRIC["start_flags"]) <= set(cues.EVIDENCE_CUES)
    floored = [g for f in RUBRIC["floors"] for g in f["from"]]
    assert sorted(floored) == scale and all(f["floor"] in scale for f in RUBRIC["floors"])
    assert str(RUBRIC["version"])


@pytest.mark.parametrize("rule", RUBRIC["rules"], ids=lambda r: r["id"])
def test_every_rule_is_well_formed_and_has_a_trigger(rule):
    assert rule["id"] in grading.TRIGGERS
    assert rule["effect"] in ("cap", "down", "none")
    assert rule.get("flag") and rule.get("why")
    if rule["effect"] == "cap":
        assert rule["to"] in grading.grade_scale()
    for g in rule.get("applies_to", []):
        assert g in grading.grade_scale()
    assert set(rule.get("cues", [])) <= set(cues.EVIDENCE_CUES)


def test_rule_cases_cover_exactly_the_rubric():
    assert set(RULE_CASES) == {r["id"] for r in RUBRIC["rules"]}


@pytest.mark.parametrize("rule_id", [r["id"] for r in RUBRIC["rules"]])
def test_rule_fires(rule_id):
    row = grade_case(RULE_CASES[rule_id]["fires"])
    assert rule_id in _rules(row["grade_trace"]), row["grade_trace"]


@pytest.mark.parametrize("rule_id", [r["id"] for r in RUBRIC["rules"]])
def test_rule_absent(rule_id):
    row = grade_case(RULE_CASES[rule_id]["absent"])
    assert rule_id not in _rules(row["grade_trace"]), row["grade_trace"]


# --- golden cases -------------------------------------------------------------------------------
@pytest.mark.parametrize("case", GOLDEN, ids=[c["name"] for c in GOLDEN])
def test_golden_case(case):
    row = grade_case(case)
    exp = case["expect"]
    got = {"grade": row["grade"], "evidence_cue": row["evidence_cue"], "kind": row["kind"],
           "hedged": bool(row["hedged"]), "rules": _rules(row["grade_trace"]),
           "flags": [f for f in row["flags"].split(";") if f], "citation": row["citation"]}
    for key, want in exp.items():
        assert got[key] == want, (key, got)


@pytest.mark.parametrize("case", [c for c in GOLDEN if c.get("lang", "zh-Hans") != "en"],
                         ids=lambda c: c["name"])
def test_traditional_script_grades_the_same(case):
    trad = S2T.convert(case["text"])
    quote = S2T.convert(case["quote"])
    assert len(trad) == len(case["text"])
    a = grade_case(case)
    b = grade_case({**case, "text": trad, "quote": quote})
    for col in ("grade", "evidence_cue", "kind", "hedged", "flags"):
        assert a[col] == b[col], col
    assert _rules(a["grade_trace"]) == _rules(b["grade_trace"])


def test_floor_keeps_d_and_e():
    # clinical (D) + sensational + causal: never below D
    case = {"text": "临床观察发现，这种特效疗法可使95%的患者痊愈。", "quote": "95%", "unit": "percent"}
    assert grade_case(case)["grade"] == "D"
    case = {"text": "这种神药可使疼痛减轻30%。", "quote": "30%", "unit": "percent"}
    row = grade_case(case)
    assert row["grade"] == "E" and "sensational" in row["flags"]


# --- the seed articles through the real pipeline ------------------------------------------------
@pytest.fixture(scope="module")
def seeds():
    arts, failures = ingest.ingest_paths([ROOT / "articles"])
    assert not failures
    claims = extract.extract_claims(arts)
    graded = grading.grade_claims(claims, {a.name: a.text for a in arts})
    return arts, graded


def _row(graded: pd.DataFrame, article_prefix: str, sentence_part: str, quote_part: str) -> pd.Series:
    m = graded[graded["article"].str.startswith(article_prefix)
               & graded["sentence"].str.contains(sentence_part, regex=False)
               & graded["quote"].str.contains(quote_part, regex=False)]
    assert len(m) == 1, (article_prefix, quote_part, m[["quote", "sentence"]])
    return m.iloc[0]


def test_traces_name_real_spans_and_grades_are_defined(seeds):
    arts, graded = seeds
    texts = {a.name: a.text for a in arts}
    assert len(graded) > 30
    assert set(graded["grade"]) <= set(grading.grade_scale())
    assert set(graded["rubric_version"]) == {str(RUBRIC["version"])}
    for r in graded.itertuples():
        trace = json.loads(r.grade_trace)
        assert trace and trace[0]["rule"] == f"start:{r.evidence_cue}"
        for t in trace:
            assert set(t) == {"rule", "effect", "start", "end", "text"}
            assert texts[r.article][t["start"]:t["end"]] == t["text"] and t["text"]


def test_seed_acceptance_claims(seeds):
    _, g = seeds
    speed = _row(g, "001", "传导速度", "30")
    assert (speed["evidence_cue"], speed["cue_text"], speed["grade"]) == ("animal_study", "动物实验显示", "D")
    assert "indirectness" in _rules(speed["grade_trace"])
    assert "extrapolated_to_humans" in speed["flags"].split(";")
    ngf = _row(g, "001", "神经生长因子", "2-3")
    assert (ngf["evidence_cue"], ngf["citation"], ngf["grade"]) == ("unspecified_study", "", "D")
    assert "design_unknown" in ngf["flags"] and "no_citation" in ngf["flags"]
    for part, q in (("多数在1-3天", "1-3"), ("通常24小时", "24")):
        bare = _row(g, "000", part, q)
        assert (bare["evidence_cue"], bare["grade"]) == ("none", "E")
    trac = _row(g, "004", "临床研究显示", "60%")
    assert (trac["evidence_cue"], trac["grade"]) == ("clinical_study", "D")


def test_traditional_seed_pages_grade_the_same(seeds, tmp_path):
    arts, graded = seeds
    s2t = S2T
    for a in arts:
        if a.lang != "zh-Hans":
            continue
        trad = s2t.convert(a.text)
        p = tmp_path / a.name
        p.write_text(trad, encoding="utf-8")
        b = ingest.read_article(p)
        gb = grading.grade_claims(extract.extract_claims([b]), {b.name: b.text})
        ga = graded[graded["article"] == a.name]
        cols = ["grade", "evidence_cue", "kind", "hedged", "flags"]  # compared in text order
        left = ga.sort_values("start")[cols].reset_index(drop=True)
        right = gb.sort_values("start")[cols].reset_index(drop=True)
        assert b.lang == "zh-Hant"
        pd.testing.assert_frame_equal(left, right, check_dtype=False)


def test_grading_is_deterministic(seeds):
    arts, graded = seeds
    again = grading.grade_claims(graded[extract.CLAIM_COLUMNS], {a.name: a.text for a in arts})
    pd.testing.assert_frame_equal(graded, again)


def test_document_checklist_on_seeds(seeds):
    arts, graded = seeds
    cl = grading.document_checklist(arts, graded)
    assert list(cl.columns) == grading.CHECKLIST_COLUMNS
    n_docs = sum(d.role in ("main", "answer", "related") for a in arts for d in a.documents)
    assert len(cl) == n_docs
    assert cl["n_claims"].sum() == len(graded)
    by_art = cl.groupby("article")["disclaimer_present"].first()
    assert by_art[by_art.index.str.startswith("000")].item()  # 免责声明 in the page furniture
    assert not by_art[by_art.index.str.startswith("002")].item()
    for r in cl.itertuples():
        if r.n_claims:
            assert 0.0 <= r.share_grade_de <= 1.0
        else:
            assert math.isnan(r.share_grade_de)
    answers = cl[cl["role"] == "answer"]
    assert answers["author_named"].all() and answers["credentials_stated"].all()
    main000 = cl[cl["doc_id"].str.startswith("000") & (cl["role"] == "main")].iloc[0]
    assert not main000["author_named"] and not main000["identifiable_reference"]


_FRAGMENTS = {
    "zh-Hans": ["研究发现，", "一项随机对照试验[2]显示，", "动物实验显示，", "中医认为，", "临床观察发现，",
                "可能", "约", "特效", "可使", "患者", "（《中华医学杂志》2019年）", "从5降至", "，", "。"],
    "en": ["Studies show that ", "A randomized controlled trial [2] found ", "In mice, ", "may ",
           "about ", "miracle ", "cures ", "patients ", "(Smith et al., 2018) ", "from 5 to ", ", ", ". "],
}


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["zh-Hans", "en"]), st.data())
def test_any_composition_grades_within_the_rubric(lang, data):
    frags = data.draw(st.lists(st.sampled_from(_FRAGMENTS[lang]), max_size=6))
    quote = "30%"
    text = "".join(frags) + ("疼痛减轻" if lang != "en" else "pain fell by ") + quote + \
        ("。" if lang != "en" else ".")
    row = grade_case({"lang": lang, "text": text, "quote": quote, "unit": "percent",
                      "approx": "约" in text or "about" in text})
    scale = grading.grade_scale()
    start = RUBRIC["start"][row["evidence_cue"]]
    floor = grading._floor(start)
    assert scale.index(start) <= scale.index(row["grade"]) <= scale.index(floor)
    trace = json.loads(row["grade_trace"])
    assert trace[0]["rule"] == f"start:{row['evidence_cue']}"
    for t in trace:
        assert text[t["start"]:t["end"]] == t["text"] != ""
    assert [r["id"] for r in RUBRIC["rules"] if r["id"] in _rules(row["grade_trace"])] == _rules(row["grade_trace"])[1:]


# --- literal prefilters: only a "no" is trusted ---------------------------------------------
_FILTERED_LISTS = ("named_source", "sensational", "causal_verbs", "human_population",
                   "effect_words", "baseline_markers", "harms", "disclaimer")


def _filters(fam: str) -> list[tuple[str, object, list]]:
    """(name, literal filter, phrase lists it stands for) of every prefilter grading uses."""
    out = [(key, grading._phrase_filter(fam, key), [cues.pattern(fam, key)])
           for key in _FILTERED_LISTS]
    out.append(("citations", grading._citations_filter(fam), list(grading._citation_patterns(fam))))
    out.append(("sentence", grading._sentence_filter(fam),
                list(grading._citation_patterns(fam))
                + [cues.pattern(fam, k) for k in grading._SENTENCE_LISTS]))
    out += [(f"citations.{kind}", grading._phrase_filter(fam, "citations", kind), [pat])
            for kind, pat in grading._citation_classes(fam)]
    return out


def _pieces(fam: str) -> list[str]:
    """Text pieces likely to make the phrase lists match: their literals, and glue."""
    lits: set[str] = set()
    for pat in [cues.pattern(fam, key) for key in _FILTERED_LISTS] + list(grading._citation_patterns(fam)):
        lits.update(t.lower() if icase else t for t, icase in literals.pattern_literals(pat) or ())
    glue = ["《", "》", "2019", "年", "等", "[3]", "PMID: 123456", "10.1000/x", " ", "，", "。",
            "\n", "K", "ſ", "İ", "Smith et al. 2018", "of Medicine", "a"]
    return sorted(lits) + glue


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["zh", "en"]), st.data())
def test_literal_filters_never_rule_out_a_match(fam, data):
    """Wherever a phrase list matches inside a span, its prefilter lets the span through, for
    sentence-sized and long spans (the two search paths), any case, odd case-folding letters."""
    n = data.draw(st.integers(1, 120))  # long texts too (the other search path)
    pieces = data.draw(st.lists(st.sampled_from(_pieces(fam)), min_size=n, max_size=n))
    text = (" " if fam == "en" else "").join(pieces)  # English phrases need word boundaries
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(a, len(text)))
    for page in ([text, text.upper(), text.title()] if fam == "en" else [text]):
        view = cues.view(page, fam)
        for lo, hi in ((a, b), (0, len(page)), (a, min(len(page), a + 80))):
            for name, filt, pats in _filters(fam):
                matched = any(m.end() > m.start() for p in pats if p is not None
                              for m in p.finditer(view, lo, hi))
                if matched:
                    assert filt is None or filt.may_occur(view, lo, hi), (name, page[lo:hi])


@pytest.mark.parametrize("text", ["plain", 'quo"te \\ back', "控制\n\t\x01字符", "emoji 😀", "\ud800"])
def test_trace_json_is_json_dumps(text):
    hit = cues.Hit(3, 9, text, "x")
    entries = [("start:none", "start E", hit), ("no_citation", "cap D: E→E (unchanged)", hit)]
    assert grading._trace_json(entries) == json.dumps(
        [grading._entry(*e) for e in entries], ensure_ascii=False, separators=(",", ":"))
