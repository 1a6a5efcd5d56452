"""Cross-article consistency: lexicon data, interval semantics, clique sweep, origins, overrides,
heterogeneity and the seed acceptance cases (hand-built claim frames over the real seed texts)."""
from __future__ import annotations

import hashlib
import itertools
import math
import random
import re

import opencc
import pandas as pd
import pytest

from claimaudit import config, consistency as cs, origins
from consistency_frames import claim_row, frame, seed_frames

WEAK = "g-acupuncture-weakness_numbness_duration-time"


# --- data files -------------------------------------------------------------------------------
def test_lexicon_entries_are_well_formed():
    raw = config.load_yaml("concepts.yaml")
    base = set(config.load_yaml("consistency.yaml")["unit_families"])
    fams = base | {f"{f}_per_{p}" for f in base for p in ("day", "week", "month", "hour")}
    lex = cs.lexicon()
    assert len(lex.subjects) >= 8 and len(lex.measures) >= 8
    for cid, entry in {**raw["subjects"], **raw["measures"]}.items():
        assert re.fullmatch(r"[a-z0-9_]+", cid), cid  # ids appear in group ids
        assert {"zh-Hans", "zh-Hant", "en"} <= set(entry["labels"]), cid
        assert entry["terms"].get("zh-Hans") and entry["terms"].get("en"), cid
    for c in lex.subjects.values():
        assert c.type in ("exposure", "condition"), c.id
    for m in lex.measures.values():
        assert m.unit_families and set(m.unit_families) <= fams, m.id
        assert not m.default_subject or m.default_subject in lex.subjects, m.id
        assert m.subject_type in ("", "exposure", "condition"), m.id


def test_traditional_labels_and_terms_fold_to_simplified():
    t2s = opencc.OpenCC("t2s")
    raw = config.load_yaml("concepts.yaml")
    for cid, entry in raw["subjects"].items():
        assert t2s.convert(entry["labels"]["zh-Hant"]) == entry["labels"]["zh-Hans"], cid
        for t in entry["terms"].get("zh-Hant", []):
            assert t2s.convert(t) in cs.lexicon().subjects[cid].terms["zh"], (cid, t)


def test_every_contract_unit_but_none_unknown_has_a_family():
    for unit in ("second", "minute", "hour", "day", "week", "month", "year", "percent", "fold", "cun",
                 "mmol/L", "pg/mL", "ng/mL", "mg/dL", "g/L", "IU", "meter", "count", "grade",
                 "age_years", "ratio"):
        assert cs.unit_family(unit) is not None, unit
    assert cs.unit_family("furlong") is None
    assert cs.unit_family("minute", "day")[0] == "time_per_day"  # a rate is not a duration


def test_packaged_overrides_are_empty_with_the_documented_header():
    ov = cs.load_overrides(None)
    assert list(ov.columns) == cs.OVERRIDE_COLUMNS and ov.empty


# --- intervals --------------------------------------------------------------------------------
def _iv(**kw):
    row = dict(comparator="eq", value_low=None, value_high=None, vague=False, approx=False,
               sentence="", start=0, sentence_start=0, lang="zh-Hans")
    row.update(kw)
    return cs.claim_interval(row, "time", 24.0)[:2]


def test_open_bounds_and_time_units():
    assert _iv(comparator="le", value_high=1) == (0.0, 24.0)  # ≤ 1 day → (0, 24 h]
    assert _iv(comparator="gt", value_low=3) == (72.0, math.inf)
    assert _iv(comparator="range", value_low=1, value_high=3) == (24.0, 72.0)
    row = dict(comparator="lt", value_high=-1.0, value_low=None, vague=False, approx=False,
               sentence="", start=0, sentence_start=0, lang="en")
    assert cs.claim_interval(row, "signed_thing", 1.0)[0] == -math.inf  # no family floor


def test_approximations_are_widened_by_the_documented_margin():
    m = config.load_yaml("consistency.yaml")["approx_margin"]
    lo, hi = _iv(comparator="approx", value_low=10, value_high=10, approx=True)
    assert lo == pytest.approx(240 * (1 - m)) and hi == pytest.approx(240 * (1 + m))


def test_alarm_threshold_reads_as_end_of_normal_course():
    s = "若乏力持续超过72小时,需及时复查。"
    q = s.index("超过")
    assert _iv(comparator="gt", value_low=3, sentence=s, start=q) == (0.0, 72.0)
    s2 = "Seek care if the numbness lasts more than 3 days."
    q2 = s2.index("more")
    assert _iv(comparator="gt", value_low=3, sentence=s2, start=q2, lang="en") == (0.0, 72.0)
    s3 = "麻木多持续超过3天。"
    assert _iv(comparator="gt", value_low=3, sentence=s3, start=s3.index("超过")) == (72.0, math.inf)


def test_touching_intervals_do_not_agree_but_points_inside_do():
    assert not cs.overlaps((24, 72), (0, 24))
    assert cs.overlaps((24, 24), (0, 24))
    assert cs.overlaps((0, 30), (20, math.inf))
    assert not cs.overlaps((0, 1), (2, 3))


def _brute_clique(ivs):
    best = 0
    for r in range(len(ivs), 0, -1):
        for combo in itertools.combinations(range(len(ivs)), r):
            if all(cs.overlaps(ivs[a], ivs[b]) for a, b in itertools.combinations(combo, 2)):
                return r
    return best


def test_max_clique_sweep_matches_brute_force():
    rng = random.Random(7)
    for _ in range(300):
        n = rng.randint(1, 7)
        ivs = []
        for _ in range(n):
            a = rng.choice([0, 1, 2, 3, 4, 5])
            b = a + rng.choice([0, 0, 1, 2, 3, math.inf])
            ivs.append((float(a), float(b)))
        members, lo, hi = cs.max_clique(ivs)
        assert len(members) == _brute_clique(ivs), ivs
        assert all(cs.overlaps(ivs[a], ivs[b]) for a, b in itertools.combinations(members, 2)), ivs
        assert lo <= hi
        brute_pairs = [(a, b) for a, b in itertools.combinations(range(n), 2)
                       if not cs.overlaps(ivs[a], ivs[b])]
        assert cs.conflicting_pairs(ivs) == brute_pairs, ivs


# --- origins ----------------------------------------------------------------------------------
def test_near_duplicate_pages_count_as_one_origin():
    base = "针灸后出现腿软无力多属正常针感反应,通常与局部经络刺激有关,多数在1-3天内自行缓解。"
    copy = base.replace("多属", "多数属于")  # an edited copy on another site
    trad = opencc.OpenCC("s2t").convert(base)
    other = "部分人群自主神经调节功能较弱,针刺后可能引发短暂性肌肉松弛反应,通常24小时内可恢复。"
    df = pd.DataFrame({"article": ["a.txt", "b.txt", "c.txt", "d.txt"],
                       "sentence": [base, copy, trad, other]})
    o = origins.origin_ids(df)
    assert o.iloc[0] == o.iloc[1] == o.iloc[2]
    assert o.iloc[3] != o.iloc[0]


# --- heterogeneity ----------------------------------------------------------------------------
def test_heterogeneity_needs_variances_and_never_invents_them():
    df = pd.DataFrame({"article": ["a", "b", "c"], "value_low": [30.0, 32.0, 60.0],
                       "value_high": [30.0, 32.0, 60.0], "unit": ["percent"] * 3})
    text, q, i2 = cs.heterogeneity(df)
    assert text == "not computable: no variances" and math.isnan(q)
    with_ci = df.assign(ci_low=[25.0, 28.0, 55.0], ci_high=[35.0, 36.0, 65.0])
    text, q, i2 = cs.heterogeneity(with_ci)
    assert text.startswith("Q=") and q > 10 and 0.8 < i2 <= 1  # 60 % departs from ~31 %
    with_n = df.assign(sample_size=[200, 150, 0])  # the third has no usable size
    text, q, i2 = cs.heterogeneity(with_n)
    assert "k=2" in text and q < 1


# --- overrides --------------------------------------------------------------------------------
def test_overrides_merge_split_assign_exclude(tmp_path):
    ids = pd.Series(["c1", "c2", "c3", "c4", "c5"])
    gids = pd.Series(["g-a", "g-a", "g-b", "", "g-c"])
    (tmp_path / "group_overrides.csv").write_text(
        "action,group_id,into,claim_id,note\n"
        "merge,g-b,g-c,,same measure\n"
        "merge,g-c,g-d,,\n"
        "split,g-a,,c2,different population\n"
        "assign,g-a,,c4,reviewer\n"
        "exclude,,,c5,not a claim\n", encoding="utf-8")
    ov = cs.load_overrides(tmp_path)
    out = cs.apply_overrides(ids, gids, ov).tolist()
    assert out == ["g-a", "g-a~c2", "g-d", "g-a", ""]
    (tmp_path / "group_overrides.csv").write_text("action,group_id\nrename,g-a\n", encoding="utf-8")
    with pytest.raises(ValueError, match="rename"):
        cs.load_overrides(tmp_path)


def test_group_claims_applies_reviewer_overrides():
    claims, docs, texts = seed_frames()
    c1 = claims.loc[claims["quote"] == "1-3天", "claim_id"].iloc[0]
    ov = pd.DataFrame([{"action": "exclude", "group_id": "", "into": "", "claim_id": c1, "note": ""}])
    out, groups = cs.group_claims(claims, ov, documents=docs, texts=texts)
    assert out.loc[out["claim_id"] == c1, "group_id"].iloc[0] == ""
    g = groups.set_index("group_id").loc[WEAK]
    assert g["verdict"] == "consistent" and g["n_within_article_conflicts"] == 0


# --- the seeds --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seeds():
    claims, docs, texts = seed_frames()
    out, groups = cs.group_claims(claims, documents=docs, texts=texts)
    return out, groups


def _gid(out, quote):
    return out.loc[out["quote"] == quote, "group_id"].iloc[0]


def test_seed_weakness_duration_claims_share_one_group_and_disagree(seeds):
    out, groups = seeds
    for q in ("1-3天", "24小时内", "超过72小时", "within 24 hours", "up to a week"):
        assert _gid(out, q) == WEAK, q
    g = groups.set_index("group_id").loc[WEAK]
    assert g["verdict"] != "consistent" and g["verdict"] in cs.VERDICTS
    assert g["n_articles"] == 2 and g["n_origins"] == 2 and g["unit"] == "hour"
    assert (g["consensus_low"], g["consensus_high"]) == (0.0, 24.0)
    assert g["heterogeneity"] == "not computable: no variances"


def test_seed_within_article_pair_is_flagged(seeds):
    out, groups = seeds
    w = cs.within_article_conflicts(out, groups)
    pairs = {frozenset(out.set_index("claim_id").loc[[a, b], "quote"]) for a, b in zip(w["claim_a"], w["claim_b"])}
    assert frozenset({"1-3天", "24小时内"}) in pairs
    c = cs.conflicts(out, groups)
    assert list(c.columns[:8]) == ["group_id", "claim_a", "claim_b", "article_a", "article_b",
                                    "quote_a", "quote_b", "same_article"]
    assert c["same_article"].any() and not c["same_article"].all()  # the English page departs too


def test_seed_thresholds_and_cramp_claims_group_by_concept(seeds):
    out, _ = seeds
    assert _gid(out, "<3.5mmol/L") == "g-hypokalemia-serum_potassium-molar_concentration"
    assert _gid(out, "<2.2mmol/L") == "g-hypocalcemia-serum_calcium-molar_concentration"
    assert _gid(out, ">6.5%") == "g-diabetes-hba1c-percent"
    assert _gid(out, "40岁以上") == "g-muscle_cramp-risk_age-age"
    assert _gid(out, "2-3倍") == "g-electroacupuncture-ngf_expression-fold"


def test_claims_naming_no_known_concept_stay_ungrouped(seeds):
    out, _ = seeds
    assert _gid(out, "10分钟") == ""  # moxibustion minutes: no measure cue
    assert _gid(out, "one day") == ""  # "observe for one day": not a duration of a symptom


def test_groups_table_contract_and_determinism(seeds):
    out, groups = seeds
    for c in ("group_id", "subject", "measure", "unit", "verdict", "n_claims", "n_articles",
              "n_origins", "consensus_low", "consensus_high", "heterogeneity"):
        assert c in groups.columns, c
    assert set(groups["verdict"]) <= set(cs.VERDICTS)
    assert groups["group_id"].is_unique and list(groups["group_id"]) == sorted(groups["group_id"])
    assert set(out["group_id"]) - {""} == set(groups["group_id"])
    claims, docs, texts = seed_frames()
    shuffled = claims.sample(frac=1, random_state=3).reset_index(drop=True)
    out2, groups2 = cs.group_claims(shuffled, documents=docs, texts=texts)
    pd.testing.assert_frame_equal(groups, groups2)
    assert dict(zip(out["claim_id"], out["group_id"])) == dict(zip(out2["claim_id"], out2["group_id"]))


def test_traditional_script_groups_like_simplified():
    s2t = opencc.OpenCC("s2t")
    simp = "腿部针灸后出现腿软无力多属正常反应,多数在1-3天内自行缓解。"
    trad = s2t.convert(simp)
    en = "Numbness after acupuncture usually resolves within 2 days."
    rows = [claim_row("s.txt", simp, simp.index("1-3天"), simp.index("1-3天") + 4, "zh-Hans", 1, 3, "day", "range",
                      claim_id="c1"),
            claim_row("t.txt", trad, trad.index("1-3天"), trad.index("1-3天") + 4, "zh-Hant", 1, 3, "day", "range",
                      claim_id="c2"),
            claim_row("e.txt", en, en.index("within"), en.index("days") + 4, "en", None, 2, "day", "le",
                      claim_id="c3")]
    out, groups = cs.group_claims(frame(rows))
    assert set(out["group_id"]) == {WEAK}
    g = groups.iloc[0]
    assert g["verdict"] == "consistent" and g["n_articles"] == 3 and g["n_origins"] == 2  # s ≈ t


def test_empty_claims_give_empty_tables():
    out, groups = cs.group_claims(pd.DataFrame(columns=["claim_id", "article", "unit", "sentence"]))
    assert out.empty and groups.empty and "group_id" in out.columns


def test_agreement_work_grows_with_output_not_with_all_pairs(monkeypatch):
    """A large consistent group visits no pair; near-duplicate search does bucket look-ups only."""
    calls = {"overlaps": 0, "union": 0}
    real_overlaps, real_union = cs.overlaps, origins._UnionFind.union

    def counting_overlaps(a, b):
        calls["overlaps"] += 1
        return real_overlaps(a, b)

    def counting_union(self, a, b):
        calls["union"] += 1
        return real_union(self, a, b)

    monkeypatch.setattr(cs, "overlaps", counting_overlaps)
    monkeypatch.setattr(origins._UnionFind, "union", counting_union)
    n = 3000
    ivs = [(float(i % 7), float(i % 7) + 10.0) for i in range(n)]
    members, lo, hi = cs.max_clique(ivs)
    assert len(members) == n and cs.conflicting_pairs(ivs) == []
    assert calls["overlaps"] <= 2 * n  # all pairs would be 4.5 million
    df = pd.DataFrame({"article": [f"a{i}.txt" for i in range(n)],
                       "sentence": [f"第{i}篇文章说针灸后腿软无力多数在{i % 50}天内缓解,不必担心。" for i in range(n)]})
    origins.origin_ids(df)
    nd = config.load_yaml("consistency.yaml")["near_duplicates"]
    assert calls["union"] <= n * (1 + nd["bands"])


def test_limits_read_as_upper_bounds_like_alarms():
    s = "留針時間一般為20～30分鐘，不宜超過45分鐘。"
    assert _iv(comparator="gt", value_low=45, sentence=s, start=s.index("超過"), lang="zh-Hant") == (0.0, 45 * 24.0)
    s2 = "留针时间过长超过40分钟也会加重局部组织反应。"
    assert _iv(comparator="gt", value_low=40, sentence=s2, start=s2.index("超过"))[0] == 0.0


def _one(sentence: str, quote: str, lang: str, low, high, unit: str, comp: str, approx: bool = False) -> str:
    s = sentence.index(quote)
    out, _ = cs.group_claims(frame([claim_row("x.txt", sentence, s, s + len(quote), lang, low, high, unit,
                                              comp, approx, claim_id="c1")]))
    return out["group_id"].iloc[0]


def test_changes_of_a_level_are_not_levels():
    assert _one("研究发现，坚持运动3个月后，糖尿病患者糖化血红蛋白平均下降0.5%左右。", "0.5%左右", "zh-Hans",
                0.5, 0.5, "percent", "approx", True) == "g-diabetes-hba1c_change-percent"
    assert _one("Exercise reduced HbA1c in people with diabetes by 0.5%.", "0.5%", "en",
                0.5, 0.5, "percent", "eq") == "g-diabetes-hba1c_change-percent"
    assert _one("低钾血症时血钾下降至3.0mmol/L以下。", "3.0mmol/L以下", "zh-Hans", None, 3.0, "mmol/L",
                "lt") == "g-hypokalemia-serum_potassium-molar_concentration"  # 降至: a level reached


def test_subject_named_after_the_quantity_in_its_clause():
    assert _one("一般来说，空腹血糖在6.1~7.0mmol/L之间属于空腹血糖受损。", "6.1~7.0mmol/L", "zh-Hans",
                6.1, 7.0, "mmol/L", "range") == "g-prediabetes-fasting_glucose-molar_concentration"


def test_two_disagreeing_sources_conflict():
    assert cs._verdict(2, 2, 1) == "conflicting"
    assert cs._verdict(2, 5, 4) == "partly_consistent"
    assert cs._verdict(3, 3, 3) == "consistent"
    assert cs._verdict(1, 4, 2) == "single_source"


def test_generic_recovery_time_only_when_no_specific_measure_matches():
    assert _one("Most cases of sciatica get better within 4 to 6 weeks without surgery.", "within 4 to 6 weeks",
                "en", 4, 6, "week", "range") == "g-sciatica-recovery_time-time"
    assert _one("针灸后出现腿软无力,多数在1-3天内自行缓解。", "1-3天", "zh-Hans", 1, 3, "day",
                "range") == WEAK  # 缓解 is the weakness measure's cue, not a recovery of a condition
    assert _one("建议治疗后平卧休息10分钟,避免突然站立。", "10分钟", "zh-Hans", 10, 10, "minute", "eq") == ""


def test_within_article_conflicts_of_a_corpus_without_conflicts_is_an_empty_table():
    from claimaudit.extract import CLAIM_COLUMNS

    empty = pd.DataFrame(columns=CLAIM_COLUMNS + ["group_id"])
    out = cs.within_article_conflicts(empty)
    assert out.empty and list(out.columns) == ["article", "group_id", "claim_a", "claim_b", "reason"]


# --- shared work gives per-claim results ------------------------------------------------------
def test_concept_keys_of_a_corpus_are_each_claims_own():
    """Claims sharing a sentence, words or title are matched once: the keys must still be what
    each claim gets alone."""
    claims, docs, texts = seed_frames()
    doubled = pd.concat([claims, claims.iloc[::-1]], ignore_index=True)  # repeats share everything
    keys = cs.concept_keys(doubled, docs, texts)
    alone = pd.concat([cs.concept_keys(doubled.iloc[[i]], docs, texts) for i in range(len(doubled))])
    pd.testing.assert_frame_equal(keys, alone)
    assert (keys["auto_group_id"] != "").any()


def test_minhash_is_the_minimum_over_each_shingles_sha1():
    a, b = origins._minhash_params(4)
    rng = random.Random(7)
    texts = ["", "针", "ab", "针灸后腿软", "𝄞𝄞x针灸后腿软无力", "abcabcabc"] + \
        ["".join(rng.choice("针灸ab𝄞") for _ in range(rng.randint(0, 12))) for _ in range(30)]
    for k in (1, 3, 5):
        for text, sig in zip(texts, origins.minhash_many(texts, k, 4)):
            shingles = [text] if len(text) <= k else [text[i:i + k] for i in range(len(text) - k + 1)]
            hs = [int.from_bytes(hashlib.sha1(s.encode("utf-8")).digest()[:4], "big") for s in shingles]
            assert sig == tuple(min((int(a[j]) * h + int(b[j])) % origins._P for h in hs) for j in range(4)), (text, k)
