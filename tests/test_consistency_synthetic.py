"""Planted agreement and conflict: ≥ 50 generated groups in zh-Hans, zh-Hant and en.

Thresholds from the issue: ≥ 95 % of planted conflicts found, ≤ 5 % false conflicts; plus the
grouping itself (claims land in their planted group, unknown claims stay ungrouped).
"""
from __future__ import annotations

import itertools

import pytest

from claimaudit import consistency as cs
from consistency_synth import corpus


@pytest.fixture(scope="module")
def planted():
    claims, groups, pages, expected, distractors = corpus(seed=11)
    out, table = cs.group_claims(claims.drop(columns=["planted_group", "agrees"]))
    return claims, groups, expected, distractors, out, table


def test_corpus_is_large_and_mixed(planted):
    claims, groups, *_ = planted
    assert len(groups) >= 50
    assert sum(g.conflict for g in groups) >= 15 and sum(not g.conflict for g in groups) >= 15
    assert {"zh-Hans", "zh-Hant", "en"} <= set(claims["lang"])
    assert {"hour", "day"} <= set(claims["unit"])  # time units are converted to one per family


def test_claims_land_in_their_planted_group(planted):
    claims, groups, expected, distractors, out, table = planted
    got = dict(zip(out["claim_id"], out["group_id"]))
    right = sum(got[cid] == key for cid, key in expected.items())
    assert right / len(expected) >= 0.95, [(cid, key, got[cid]) for cid, key in expected.items() if got[cid] != key][:10]
    assert all(got[cid] == "" for cid in distractors)


def test_planted_conflicts_are_found_and_false_conflicts_are_rare(planted):
    claims, groups, expected, distractors, out, table = planted
    verdict = dict(zip(table["group_id"], table["verdict"]))
    conflict_groups = [g for g in groups if g.conflict]
    consistent_groups = [g for g in groups if not g.conflict]
    found = sum(verdict.get(g.key) in ("partly_consistent", "conflicting") for g in conflict_groups)
    false = sum(verdict.get(g.key) != "consistent" for g in consistent_groups)
    recall = found / len(conflict_groups)
    false_rate = false / len(consistent_groups)
    print(f"groups: conflict recall {recall:.3f} ({found}/{len(conflict_groups)}), "
          f"false conflicts {false_rate:.3f} ({false}/{len(consistent_groups)})")
    assert recall >= 0.95
    assert false_rate <= 0.05


def test_pairwise_conflicts_match_the_plant(planted):
    claims, groups, expected, distractors, out, table = planted
    pairs = cs.conflicts(out, table)
    found = {frozenset(p) for p in zip(pairs["claim_a"], pairs["claim_b"])}
    agrees = dict(zip(claims["claim_id"], claims["agrees"]))
    by_group: dict[str, list[str]] = {}
    for cid, key in expected.items():
        by_group.setdefault(key, []).append(cid)
    planted_conf, agreeing_pairs = set(), set()
    for ids in by_group.values():
        for a, b in itertools.combinations(ids, 2):
            if agrees[a] != agrees[b]:
                planted_conf.add(frozenset((a, b)))
            elif agrees[a] and agrees[b]:
                agreeing_pairs.add(frozenset((a, b)))
    recall = len(planted_conf & found) / len(planted_conf)
    false_rate = len(agreeing_pairs & found) / len(agreeing_pairs)
    print(f"pairs: conflict recall {recall:.3f} of {len(planted_conf)}, "
          f"false conflicts {false_rate:.3f} of {len(agreeing_pairs)}")
    assert len(planted_conf) >= 40
    assert recall >= 0.95 and false_rate <= 0.05
    same = pairs[pairs["same_article"]]
    assert len(same) >= 1  # outliers planted on an agreeing page are within-article conflicts
    w = cs.within_article_conflicts(out, table)
    assert set(zip(w["claim_a"], w["claim_b"])) == set(zip(same["claim_a"], same["claim_b"]))


def test_independent_origins_count_copies_once(planted):
    claims, groups, expected, distractors, out, table = planted
    assert (table["n_origins"] <= table["n_articles"]).all()
    # a page copied to another site (same sentence, another article) adds an article, not an origin
    key = table.loc[table["n_claims"] >= 3, "group_id"].iloc[0]
    row = out[out["group_id"] == key].iloc[0].copy()
    row["claim_id"], row["article"], row["doc_id"] = "ccopy", "9999_copy.txt", "9999_copy.txt#0"
    import pandas as pd

    out2, table2 = cs.group_claims(pd.concat([claims.drop(columns=["planted_group", "agrees"]),
                                              row.drop("group_id").to_frame().T], ignore_index=True))
    before = table.set_index("group_id").loc[key]
    after = table2.set_index("group_id").loc[key]
    assert after["n_articles"] == before["n_articles"] + 1
    assert after["n_origins"] == before["n_origins"]


def test_generated_pages_through_the_real_extractor(tmp_path):
    """End to end: the generated pages go through ingest + extract, then grouping. Bare unitless
    ratios (踝肱指数 1.2) are not quantities to the extractor, so that measure is left out."""
    from claimaudit import extract, ingest
    from consistency_synth import write_pages

    claims, groups, pages, expected, _ = corpus(seed=5, skip_measures=("ankle_brachial_index",))
    assert len(groups) >= 50
    articles, failures = ingest.ingest_paths([str(p) for p in write_pages(pages, tmp_path)])
    assert not failures
    real = extract.extract_claims(articles)
    out, table = cs.group_claims(real, documents=ingest.documents_frame(articles))
    by_article: dict[str, list] = {}
    for r in out.itertuples():
        by_article.setdefault(r.article, []).append(r)
    matched = right = 0
    for r in claims[claims["planted_group"] != ""].itertuples():
        hits = [x for x in by_article.get(r.article, []) if x.start < r.end and r.start < x.end]
        matched += bool(hits)
        right += any(x.group_id == r.planted_group for x in hits)
    print(f"extractor: {matched}/{len(expected)} planted claims found, {right} in their group")
    assert matched >= 0.9 * len(expected)
    assert right >= 0.95 * matched
    verdict = dict(zip(table["group_id"], table["verdict"]))
    conflict = [g for g in groups if g.conflict]
    consistent = [g for g in groups if not g.conflict]
    recall = sum(verdict.get(g.key) in ("partly_consistent", "conflicting") for g in conflict) / len(conflict)
    false = sum(verdict.get(g.key) not in ("consistent", None) for g in consistent) / len(consistent)
    print(f"extractor: conflict recall {recall:.3f}, false conflicts {false:.3f}")
    assert recall >= 0.95 and false <= 0.05
